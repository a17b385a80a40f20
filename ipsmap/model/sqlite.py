"""sqlite-utils, imported without dragging pandas and numpy in.

sqlite-utils imports pandas and numpy at import time whenever they are installed (they
are: the export layer uses pandas). That costs about 0.3 s on every start of the window
and every CLI command, for conversions we never use: we only store plain Python values.
So they are hidden while sqlite-utils loads, and importable as usual afterwards.
"""

from __future__ import annotations

import sys

_hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
for _name in _hidden:
    sys.modules[_name] = None  # type: ignore[assignment]  # makes `import pandas` fail fast
try:
    import sqlite_utils
finally:
    for _name in _hidden:
        del sys.modules[_name]

Database = sqlite_utils.Database

__all__ = ["Database", "sqlite_utils"]
