"""cuDNN settings, accepted and ignored (chainrule never uses cuDNN)."""
deterministic = False
benchmark = False
enabled = True


def is_available():
    return False
