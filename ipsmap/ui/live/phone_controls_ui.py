"""What phones may do, in the Live session panel: a checkbox per switch (see the map,
suggest, mark and vote, comment) and how many phones are here now.

The switches themselves live in the host's phone desk (``ipsmap/live/phone_switches.py``,
``PhoneDesk.set_switch``); ticking a box turns one on or off at once, phones learn it at
their next poll, and the session kept for a restart keeps it. The fifth switch, ideas
straight onto the map, is the Ideas panel's own checkbox (it is about where ideas land).
The live core is imported inside the methods: the window opens without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QGroupBox, QLabel, QVBoxLayout

if TYPE_CHECKING:
    from ipsmap.ui.hallway import Hallway
    from ipsmap.ui.live.session_panel import LiveSessionPanel

# The switches shown here (``place`` is in the Ideas panel), with what a tooltip adds.
BOX_KINDS = ("see", "suggest", "mark", "comment")
TIPS = {
    "see": "Phones show the shared maps, updated as the room edits (marks are made there)",
    "suggest": "Phones send ideas for factors and links",
    "mark": "Phones mark factors important, controllable or vulnerable and spend dot votes",
    "comment": "Phones comment on factors and links",
}


def phones_here_text(here: int, joined: int) -> str:
    """The panel's count of phones: "3 phones here" (and how many joined have left)."""
    if joined == 0:
        return "No phones have joined yet"
    count = f"{here} phone{'s' if here != 1 else ''} here"
    gone = joined - here
    return f"{count} ({gone} left)" if gone else count


class PhoneSwitchesBox(QGroupBox):
    """The checkboxes; ``switched(kind, on)`` when the facilitator ticks one."""

    switched = Signal(str, bool)

    def __init__(self, labels: dict[str, str]) -> None:
        super().__init__("Phones may")
        self.setObjectName("phones-may")
        self.here = QLabel(phones_here_text(0, 0))
        self.here.setObjectName("phones-here")
        layout = QVBoxLayout(self)
        self.boxes: dict[str, QCheckBox] = {}
        for kind in BOX_KINDS:
            box = QCheckBox(labels[kind])
            box.setObjectName(f"phones-may-{kind}")
            box.setToolTip(TIPS[kind])
            box.toggled.connect(lambda on, k=kind: self.switched.emit(k, on))
            layout.addWidget(box)
            self.boxes[kind] = box
        layout.addWidget(self.here)  # after the boxes: the title reads "Phones may: …"

    def show_switches(self, switches: dict[str, bool]) -> None:
        """Tick the boxes as the desk has them (a resumed session keeps its own)."""
        for kind, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(bool(switches.get(kind, True)))
            box.blockSignals(False)
            box.setEnabled(True)

    def show_stopped(self) -> None:
        for box in self.boxes.values():
            box.setEnabled(False)
        self.here.setText("No phones: the session has ended")


class PhoneControlsUi:
    """A mixin of ``Hosting``: the switches box in its panel, wired to the host's desk."""

    hallway: Hallway
    host: Any
    panel: LiveSessionPanel | None
    phone_switches: PhoneSwitchesBox | None = None

    if TYPE_CHECKING:  # Hosting's

        def keep_session(self) -> None: ...

    def show_phone_controls(self, host: Any) -> None:
        """Put the switches box in the panel (once) and show this session's switches; save
        the kept session whenever a phone joins, is removed or a switch changes."""
        from ipsmap.live.phone_switches import LABELS

        assert self.panel is not None
        if self.phone_switches is None:
            self.phone_switches = PhoneSwitchesBox(LABELS)
            self.phone_switches.switched.connect(self.switch_phones)
            layout = self.panel.layout()
            layout.insertWidget(layout.indexOf(self.panel.people_heading), self.phone_switches)
        self.phone_switches.show_switches(host.phones.desk.switches.as_dict())
        self.phone_switches.setVisible(True)
        host.on_kept_change = self.keep_session
        self.refresh_phones_here()

    def switch_phones(self, kind: str, on: bool) -> None:
        """A box ticked or unticked: the desk refuses or allows from the next request."""
        if self.host is None or self.host.phones is None:
            return
        self.host.phones.desk.set_switch(kind, on)
        what = self.phone_switches.boxes[kind].text() if self.phone_switches else kind
        self.hallway.say(f"Phones: '{what}' is {'on' if on else 'off'} now")

    def refresh_phones_here(self) -> None:
        if self.phone_switches is None or self.host is None or self.host.phones is None:
            return
        desk = self.host.phones.desk
        self.phone_switches.here.setText(phones_here_text(desk.phones_here(), len(desk.listed())))

    def phone_controls_stopped(self) -> None:
        if self.phone_switches is not None:
            self.phone_switches.show_stopped()
