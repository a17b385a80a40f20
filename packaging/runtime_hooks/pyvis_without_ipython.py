"""Runtime hook of the frozen app: pyvis without IPython.

``pyvis.network`` imports ``IPython.display.IFrame`` at the top, for showing a network
inside a Jupyter notebook. ipsmap only builds nodes, edges and options with pyvis (the HTML
export) and never shows a notebook, so the app leaves IPython (with jedi, prompt_toolkit,
pygments: tens of MB) out. This finder answers only ``import IPython.display`` (made when
pyvis asks, not before) with one name, an IFrame that refuses clearly if anything ever
called it; ``from IPython import get_ipython`` and the like still fail as "not installed".
"""

import importlib.abc
import importlib.machinery
import sys
import types


class _IFrame:
    def __init__(self, *args, **kwargs):
        raise RuntimeError("the ipsmap app does not show maps in notebooks (no IPython)")


class _PyvisDisplayFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    NAMES = ("IPython", "IPython.display")

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.NAMES:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=fullname == "IPython")

    def create_module(self, spec):
        return types.ModuleType(spec.name)

    def exec_module(self, module):
        if module.__name__ == "IPython.display":
            module.IFrame = _IFrame
        else:
            module.__path__ = []


# Appended: a build that kept the real IPython finds it first.
sys.meta_path.append(_PyvisDisplayFinder())
