"""Runs an automatic layout (off the UI thread for big maps) and applies it as one step."""

from __future__ import annotations

import copy

from PySide6.QtWidgets import QWidget

from ipsmap.analysis.layout import auto_layout
from ipsmap.model.command import named
from ipsmap.model.commands import MoveFactors
from ipsmap.ui.canvas.map_editor import MapEditor
from ipsmap.ui.worker import run_in_worker

# Below this many factors the layout is quick enough to run at once; above, in a worker.
WORKER_THRESHOLD = 300


def _apply(editor: MapEditor, positions: dict, selection: list[str]) -> None:
    if not positions or editor.document is None:
        return
    # Factors deleted while the layout ran are left out.
    positions = {f: p for f, p in positions.items() if f in editor.document.factors}
    command = MoveFactors(positions)
    command = named(command, "Auto layout (selection)" if selection else "Auto layout")
    editor.run(command)
    editor.view.fit_map() if not selection else editor.view.fit_selection()


def run_layout(
    parent: QWidget, editor: MapEditor, selection: list[str], direction: str = "lr"
) -> None:
    document = editor.document
    if document is None:
        return
    only = selection if len(selection) > 1 else []
    if len(document.factors) < WORKER_THRESHOLD:
        _apply(editor, auto_layout(document.state, only or None, direction), only)
        return
    # The worker gets its own copy of the state, so edits during the layout are safe.
    state = copy.deepcopy(document.state)
    run_in_worker(
        parent,
        "Laying out the map…",
        lambda: auto_layout(state, only or None, direction),
        lambda positions: _apply(editor, positions, only),
        editor.message.emit,
    )
