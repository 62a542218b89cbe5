"""``python -m bench``: chainrule against PyTorch 2.13; see ``bench/README.md``."""
from bench.run import main

raise SystemExit(main())
