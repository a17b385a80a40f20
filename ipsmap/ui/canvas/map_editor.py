"""Turns user gestures on the canvas into model commands (one per gesture)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from PySide6.QtCore import QObject, QPointF, Signal
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import QWidget

from ipsmap.formats import ipsmap_json
from ipsmap.formats.errors import FormatError
from ipsmap.model import arrange
from ipsmap.model.clip import extract, paste_command
from ipsmap.model.command import Command, Macro, named
from ipsmap.model.commands import (
    AddFactor,
    AddLink,
    DeleteFactors,
    DeleteLinks,
    EditFactor,
    EditFactors,
    EditLinks,
    MoveFactors,
)
from ipsmap.model.document import MapDocument
from ipsmap.model.errors import IpsmapError
from ipsmap.model.frozen import is_frozen
from ipsmap.ui.canvas import placement
from ipsmap.ui.canvas.items import FactorItem, LinkItem
from ipsmap.ui.canvas.scene import MapScene
from ipsmap.ui.canvas.view import MapView
from ipsmap.ui.hallway import Hallway

CLIPBOARD_MIME = "application/x-ipsmap-map+json"
# Widgets drawn over the canvas that would hide a factor placed under them.
OVERLAYS = ("legend", "minimap")


class MapEditor(QObject):
    """Performs edits on the hallway's document; reports problems as messages."""

    message = Signal(str)

    def __init__(self, hallway: Hallway, scene: MapScene, view: MapView) -> None:
        super().__init__()
        self.hallway = hallway
        self.scene = scene
        self.view = view
        # Order in which factors were selected, so "link selected" knows source and target.
        self._selection_order: list[str] = []
        view.new_factor_wanted.connect(self.ask_new_factor)
        view.add_factor_requested.connect(self.add_factor)
        view.label_edited.connect(self.set_label)
        view.link_requested.connect(self.add_link)
        view.move_finished.connect(self.move)
        hallway.document_changed.connect(self._document_changed)
        hallway.selection_changed.connect(self._track_selection)

    @property
    def document(self) -> MapDocument | None:
        return self.hallway.document

    def _document_changed(self, _document: MapDocument | None) -> None:
        self._selection_order = []

    # -- running commands -----------------------------------------------------------------

    def run(self, command: Command) -> bool:
        """Execute a command; on a user-level error show it and return False."""
        if self.document is None:
            return False
        try:
            self.document.execute(command)
        except IpsmapError as exc:
            self.message.emit(str(exc))
            return False
        return True

    def undo(self) -> None:
        self._guarded(lambda d: d.undo())

    def redo(self) -> None:
        self._guarded(lambda d: d.redo())

    def _guarded(self, action) -> None:
        if self.document is None:
            return
        try:
            action(self.document)
        except IpsmapError as exc:
            self.message.emit(str(exc))

    # -- factors and links ------------------------------------------------------------------

    def add_factor(self, pos: QPointF, label: str) -> str | None:
        """Add a factor at ``pos``, or at the nearest spot beside it no factor covers."""
        if not self._may_add_factor():
            return None
        pos = self._free_spot(pos, label)
        command = AddFactor(label, pos.x(), pos.y())
        if self.run(command):
            self.select([command.id])
            return command.id
        return None

    def add_factor_at_centre(self) -> None:
        """`N`: type a new factor where the pointer is (over the canvas) or mid-view."""
        viewport = self.view.viewport()
        pointer = viewport.mapFromGlobal(QCursor.pos())
        if viewport.rect().contains(pointer) and viewport.underMouse():
            self.ask_new_factor(self.view.mapToScene(pointer))
        else:
            self.ask_new_factor(self.view.mapToScene(viewport.rect().center()))

    def ask_new_factor(self, wanted: QPointF) -> None:
        """Open the label field at the free spot nearest ``wanted`` (or say why not)."""
        if self._may_add_factor():
            self.view.ask_new_factor(self._free_spot(wanted, ""))

    def _may_add_factor(self) -> bool:
        """True when a new factor can be saved; else the status bar says why not."""
        why = self._why_no_new_factor()
        if why:
            self.message.emit(why)
        return not why

    def _why_no_new_factor(self) -> str:
        document = self.document
        if self.hallway.project is None:
            return "No project is open: File → New project… (Ctrl+N) or Open project…"
        if document is None:
            return (
                "This project has no map yet: add one with Map → New map… (Ctrl+Shift+N), "
                "then type factors on it"
            )
        if is_frozen(document):
            return "This snapshot is read-only: Map → Back to the live map to add factors"
        if self.hallway.project.read_only:
            return f"{self.hallway.project.path.name} is open read-only: nothing can be added"
        return ""

    def _free_spot(self, wanted: QPointF, label: str) -> QPointF:
        # Never on top of another factor: a factor hidden under another is a lost one.
        step = placement.STEP
        if self.view.snap_to_grid:
            wanted, step = self.view.snapped(wanted), self.view.grid_size
        box = placement.new_factor_rect(self.scene, label)
        view, viewport = self.view, self.view.viewport()
        visible = view.mapToScene(viewport.rect()).boundingRect()
        # Where the legend and the overview sit, a new factor would be hidden.
        covered = tuple(
            view.mapToScene(overlay.geometry()).boundingRect()
            for overlay in viewport.children()
            if isinstance(overlay, QWidget)
            and overlay.objectName() in OVERLAYS
            and overlay.isVisible()
        )
        return placement.free_spot(self.scene, wanted, box, step, visible, covered)

    def set_label(self, factor_id: str, label: str) -> None:
        self.run(EditFactor(factor_id, {"label": label}))

    def add_link(self, source: str, target: str, polarity: str = "+") -> str | None:
        command = AddLink(source, target, polarity)
        if self.run(command):
            self.select(links=[command.id])
            self.message.emit("Link added: press + − or ? to set its polarity")
            return command.id
        return None

    def link_selected(self) -> None:
        """Link the two selected factors, from the one selected first."""
        chosen = [f for f in self._selection_order if f in self.hallway.selected_factor_ids]
        if len(chosen) != 2:
            self.message.emit("Select exactly two factors to link them (the first is the cause)")
            return
        self.add_link(chosen[0], chosen[1])

    def set_polarity(self, polarity: str) -> None:
        links = self.hallway.selected_link_ids
        if not links:
            self.message.emit("Select a link first, then press + − or ?")
            return
        command = EditLinks(links, {"polarity": polarity})
        command = named(command, f"Set polarity {dict(zip('+-?', '+−?', strict=True))[polarity]}")
        self.run(command)

    def set_strength(self, strength: float) -> None:
        links = self.hallway.selected_link_ids
        if links:
            command = EditLinks(links, {"strength": strength})
            command = named(command, "Set strength")
            self.run(command)

    def set_type(self, style_id: str) -> None:
        factors = self.hallway.selected_factor_ids
        if factors:
            command = EditFactors(factors, {"type": style_id})
            command = named(command, "Set type")
            self.run(command)

    def delete_selection(self) -> None:
        factors = self.hallway.selected_factor_ids
        links = [
            lid
            for lid in self.hallway.selected_link_ids
            if self.document is not None
            and self.document.links[lid].source not in factors
            and self.document.links[lid].target not in factors
        ]
        commands: list[Command] = []
        if links:
            commands.append(DeleteLinks(links))
        if factors:
            commands.append(DeleteFactors(factors))
        if not commands:
            return
        count = len(factors) + len(links)
        self.run(Macro(f"Delete {count} item{'s' if count != 1 else ''}", commands))

    def move(self, positions: dict[str, tuple[float, float]]) -> None:
        # On success the scene places the items from the model (snapped to the grid if on).
        if not self.run(MoveFactors(positions)):
            self._snap_back(positions)

    def _snap_back(self, positions: dict[str, tuple[float, float]]) -> None:
        if self.document is None:
            return
        for factor_id in positions:
            factor = self.document.factors.get(factor_id)
            item = self.scene.factor_items.get(factor_id)
            if factor is not None and item is not None:
                item.setPos(factor.x, factor.y)
                item.moved()

    def nudge(self, dx: float, dy: float) -> None:
        if self.document is None:
            return
        ids = self.hallway.selected_factor_ids
        if ids:
            factors = self.document.factors
            self.run(MoveFactors({f: (factors[f].x + dx, factors[f].y + dy) for f in ids}))

    def align(self, edge: str) -> None:
        self._arrange(lambda pos: arrange.align(pos, edge), f"Align {edge}")

    def distribute(self, axis: str) -> None:
        self._arrange(lambda pos: arrange.distribute(pos, axis), "Distribute")

    def _arrange(self, how, name: str) -> None:
        if self.document is None:
            return
        ids = self.hallway.selected_factor_ids
        if len(ids) < 2:
            self.message.emit("Select two or more factors to arrange them")
            return
        factors = self.document.factors
        command = MoveFactors(how({f: (factors[f].x, factors[f].y) for f in ids}))
        command = named(command, name)
        self.run(command)

    # -- selection ------------------------------------------------------------------------

    def select(self, factors: Iterable[str] = (), links: Iterable[str] = ()) -> None:
        self.scene.blockSignals(True)
        self.scene.clearSelection()
        self.scene.blockSignals(False)
        items = [self.scene.factor_items.get(f) for f in factors]
        items += [self.scene.link_items.get(x) for x in links]
        self._select_quietly(item for item in items if item is not None)

    def select_all(self) -> None:
        self._select_quietly(
            item for item in self.scene.items() if isinstance(item, (FactorItem, LinkItem))
        )

    def _select_quietly(self, items) -> None:
        # One selectionChanged for the whole batch: listeners (tables, inspector) would
        # otherwise redo their work once per item, which is quadratic on big maps.
        self.scene.blockSignals(True)
        try:
            for item in items:
                item.setSelected(True)
        finally:
            self.scene.blockSignals(False)
        self.scene.selectionChanged.emit()

    def restore_selection_order(self, factor_ids: list[str]) -> None:
        """Remember ``factor_ids`` as selected in this order (e.g. a saved view's focus)."""
        self._selection_order = list(factor_ids)

    def selection_in_order(self) -> list[str]:
        """Selected factor ids, in the order they were selected."""
        selected = set(self.hallway.selected_factor_ids)
        return [f for f in self._selection_order if f in selected]

    def _track_selection(self, *_ids) -> None:
        selected = set(self.hallway.selected_factor_ids)
        kept = [f for f in self._selection_order if f in selected]
        known = set(kept)
        self._selection_order = kept + [f for f in selected if f not in known]

    # -- clipboard --------------------------------------------------------------------------

    def copy(self) -> bool:
        if self.document is None:
            return False
        ids = self.hallway.selected_factor_ids
        if not ids:
            self.message.emit("Select factors to copy")
            return False
        data = extract(self.document.state, ids)
        QGuiApplication.clipboard().setText(ipsmap_json.dumps(data))
        self.message.emit(f"Copied {len(ids)} factor(s) and {len(data.links)} link(s)")
        return True

    def cut(self) -> None:
        if self.copy():
            self.delete_selection()

    def paste(self) -> None:
        if self.document is None:
            return
        text = QGuiApplication.clipboard().text()
        try:
            json.loads(text)
            data = ipsmap_json.loads(text, "clipboard")
        except (ValueError, FormatError):
            self.message.emit("The clipboard holds no ipsmap factors to paste")
            return
        self.paste_data(data)

    def duplicate(self) -> None:
        if self.document is None:
            return
        ids = self.hallway.selected_factor_ids
        if ids:
            self.paste_data(extract(self.document.state, ids), name="Duplicate")

    def paste_data(self, data, name: str | None = None) -> None:
        assert self.document is not None
        # Paste beside the original when it is in view, else at the view's centre.
        existing = set(self.document.factors)
        if data.factors and {f.id for f in data.factors} <= existing:
            offset = (40.0, 40.0)
        elif data.factors:
            centre = self.view.mapToScene(self.view.viewport().rect().center())
            mean_x = sum(f.x for f in data.factors) / len(data.factors)
            mean_y = sum(f.y for f in data.factors) / len(data.factors)
            offset = (centre.x() - mean_x, centre.y() - mean_y)
        else:
            return
        command = paste_command(self.document.state, data, offset)
        if name:
            command.label = f"{name} {len(data.factors)} factor(s)"
        if self.run(command):
            self.select(command.new_factor_ids)  # type: ignore[attr-defined]
