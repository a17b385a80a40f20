"""The names of the squashing functions a what-if scenario can run with.

Kept apart from scenarios.py (numpy, scipy) so that the window can offer the choice
without loading the numeric libraries at start-up.
"""

from __future__ import annotations

SIGMOID = "sigmoid"
TANH = "tanh"
SQUASHING_FUNCTIONS = (SIGMOID, TANH)
