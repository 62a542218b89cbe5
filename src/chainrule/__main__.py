"""``python -m chainrule ...``: see ``chainrule._cli``."""
from chainrule._cli import main

raise SystemExit(main())
