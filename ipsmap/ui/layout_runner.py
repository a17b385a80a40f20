"""Runs an automatic layout off the UI thread and applies it as one Move command."""

from __future__ import annotations

import copy

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from ipsmap.analysis.layout import auto_layout
from ipsmap.model.commands import MoveFactors
from ipsmap.ui.map_editor import MapEditor

# Below this many factors the layout takes well under a frame budget of patience; no dialog.
WORKER_THRESHOLD = 300


class _LayoutWorker(QObject):
    finished = Signal(dict)
    progress = Signal(int)

    def __init__(self, state, only, direction: str) -> None:
        super().__init__()
        self.state = state
        self.only = only
        self.direction = direction
        self.cancelled = False

    def run(self) -> None:
        positions = auto_layout(
            self.state, self.only or None, self.direction, progress=self.progress.emit
        )
        self.finished.emit({} if self.cancelled else positions)


class _Receiver(QObject):
    """Lives in the UI thread, so the result is applied there (queued from the worker)."""

    def __init__(self, on_done, parent: QObject) -> None:
        super().__init__(parent)
        self._on_done = on_done

    @Slot(dict)
    def receive(self, positions: dict) -> None:
        self._on_done(positions)


def _apply(editor: MapEditor, positions: dict, selection: list[str]) -> None:
    if not positions or editor.document is None:
        return
    positions = {f: p for f, p in positions.items() if f in editor.document.factors}
    command = MoveFactors(positions)
    command.name = "Auto layout (selection)" if selection else "Auto layout"
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
    thread = QThread(parent)
    worker = _LayoutWorker(state, only, direction)
    worker.moveToThread(thread)
    dialog = QProgressDialog("Laying out the map…", "Cancel", 0, 100, parent)
    dialog.setObjectName("layout-progress")
    dialog.setMinimumDuration(300)
    worker.progress.connect(dialog.setValue)

    def cancel() -> None:
        worker.cancelled = True

    def done(positions: dict) -> None:
        dialog.reset()
        thread.quit()
        _apply(editor, positions, only)

    receiver = _Receiver(done, parent)
    dialog.canceled.connect(cancel)
    worker.finished.connect(receiver.receive)
    thread.finished.connect(receiver.deleteLater)
    thread.started.connect(worker.run)
    thread.finished.connect(worker.deleteLater)
    thread.finished.connect(thread.deleteLater)
    parent._layout_thread = (thread, worker)  # type: ignore[attr-defined]  # keep alive
    thread.start()
