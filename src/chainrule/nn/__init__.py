"""``chainrule.nn``: modules, layers, losses and ``nn.functional``, as ``torch.nn``."""
