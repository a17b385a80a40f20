"""A window's part in a live session's presence: publish what this window shows, selects and
edits; draw everyone else's on its canvas.

The same piece serves the host's window (publish = the host's hub) and a joined window
(publish = ``LiveClient.set_presence``; people = ``LiveClient.on_presence``)::

    view = PresenceView.for_window(window, publish=client.set_presence)
    client.on_presence = view.show_people
    ...
    view.close()  # when the session ends
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from ipsmap.ui.live.presence_layer import PresenceLayer

if TYPE_CHECKING:
    from ipsmap.ui.canvas.scene import MapScene
    from ipsmap.ui.canvas.view import MapView
    from ipsmap.ui.hallway import Hallway
    from ipsmap.ui.panels.inspector import Inspector

# A rubber band or a run of clicks changes the selection many times a second: what is
# published is the state once it has been still this long (the host also coalesces).
PUBLISH_DELAY_MS = 40

Publish = Callable[[str | None, list[str], str | None], None]


class PresenceView(QObject):
    """Publishes (map shown, ids selected, item edited) through ``publish`` whenever it
    changes, and shows other people's presence (``show_people``) on the canvas."""

    def __init__(
        self,
        hallway: Hallway,
        scene: MapScene,
        view: MapView,
        inspector: Inspector | None,
        publish: Publish,
    ) -> None:
        super().__init__(view)
        self.hallway = hallway
        self.view = view
        self.inspector = inspector
        self.publish = publish
        self.layer = PresenceLayer(hallway, scene, view)
        self._last: tuple[Any, ...] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PUBLISH_DELAY_MS)
        self._timer.timeout.connect(self.publish_now)
        self._connections = [
            (hallway.selection_changed, self._soon),
            (hallway.document_changed, self._soon),
            (hallway.actor_changed, self._soon),
        ]
        app = QApplication.instance()
        if app is not None:
            self._connections.append((app.focusChanged, self._soon))  # type: ignore[attr-defined]
        for signal, slot in self._connections:
            signal.connect(slot)
        self.publish_now()

    @classmethod
    def for_window(cls, window: Any, publish: Publish) -> PresenceView:
        """For a main window (its hallway, scene, view and inspector)."""
        return cls(window.hallway, window.scene, window.view, window.inspector, publish)

    # -- what this window shows -----------------------------------------------------------

    def editing_now(self) -> str | None:
        """The factor or link whose label or notes have the keyboard here, if any: the
        canvas's label field, or a field of the inspector showing one factor or link."""
        widget = QApplication.focusWidget()
        if widget is None:
            return None
        if widget is self.view.label_editor():
            return widget.property("factor_id") or None
        inspector = self.inspector
        if inspector is not None and _inside(inspector.factor_page, widget):
            return inspector.factor_id
        if inspector is not None and _inside(inspector.link_page, widget):
            return inspector.link_id
        return None

    def state_now(self) -> tuple[str | None, list[str], str | None]:
        hallway = self.hallway
        document = hallway.document
        if document is None or hallway.snapshot is not None:
            return None, [], None  # a snapshot is nobody else's business
        selected = [*hallway.selected_factor_ids, *hallway.selected_link_ids]
        return document.id, selected, self.editing_now()

    def _soon(self, *_args: object) -> None:
        self._timer.start()

    def publish_now(self) -> None:
        self._timer.stop()
        state = self.state_now()
        key = (state[0], tuple(state[1]), state[2], self._actor())
        if key == self._last:
            return
        self._last = key
        self.publish(*state)

    def _actor(self) -> str | None:
        project = self.hallway.project
        return project.actor_id if project is not None else None

    # -- everyone else ---------------------------------------------------------------------

    def show_people(self, people: Mapping[str, Any]) -> None:
        """Everyone else's presence (key → ``ipsmap.live.presence.Presence``)."""
        self.layer.show_people(people)

    def close(self) -> None:
        self._timer.stop()
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self._connections.clear()
        self.layer.close()


def _inside(page: QWidget, widget: QWidget) -> bool:
    return page.isAncestorOf(widget) and page.isVisible()
