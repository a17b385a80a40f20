"""The layers of the house plan hold: import-linter's contracts (in pyproject.toml) pass.

The README's test command runs ``lint-imports`` before pytest; this runs it too, so a
broken contract also fails a plain ``pytest`` run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept() -> None:
    script = Path(sys.executable).with_name("lint-imports")
    command = [str(script)] if script.exists() else ["lint-imports"]
    result = subprocess.run([*command, "--no-cache"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout
