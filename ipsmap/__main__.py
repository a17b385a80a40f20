"""Allow ``python -m ipsmap``."""

from ipsmap.cli import main

raise SystemExit(main())
