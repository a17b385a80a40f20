"""Balance of voices: whose contributions a map (or a session, or the project) holds,
next to who was in the room. A bar chart per stakeholder group, the warnings in large
type, and the items that rest on a single group's say-so."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ipsmap.model.changes import Change
from ipsmap.model.project import Project
from ipsmap.ui.on_screen import RefreshWhenShown

# (key in a row, legend text, colour); attendance last, drawn dark so it stands apart.
BARS = (
    ("factors_share", "Factors", "#64b5f6"),
    ("links_share", "Links", "#81c784"),
    ("notes_share", "Notes", "#ffb74d"),
    ("marks_share", "Marks", "#ba68c8"),
    ("attendees_share", "People in the room", "#37474f"),
)
SCOPE_MAP, SCOPE_PROJECT = "map", "project"
# Redraw for changes to these tables (contributions, people, sessions).
WATCHED = ("factors", "links", "marks", "participants", "sessions", "maps")
# Items resting on one group's voice listed at most (a merged map can have thousands).
MAX_LISTED = 300


def voices_available() -> bool:
    try:
        from ipsmap.analysis.voices import balance_of_voices  # noqa: F401
    except ImportError:
        return False
    return True


class VoicesChart(QWidget):
    """Horizontal bars: for each group, its share of each kind of contribution and of people."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("voices-chart")
        self.setAccessibleName("Balance of voices chart")
        self.rows: list[dict[str, Any]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(200)

    def sizeHint(self) -> QSize:
        return QSize(480, 360)

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        # Groups with nothing at all (no contributions, nobody in the room) are left out.
        self.rows = [r for r in rows if r.get("contributions") or r.get("attendees")]
        self.setAccessibleDescription(
            "; ".join(
                f"{r['label']}: {round(r.get('contributions_share', 0) * 100)}% of "
                f"contributions, {round(r.get('attendees_share', 0) * 100)}% of people"
                for r in self.rows
            )
        )
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        text = self.palette().text().color()
        font = QFont(self.font())
        painter.setFont(font)
        line = painter.fontMetrics().height()
        if not self.rows:
            painter.setPen(text)
            painter.drawText(
                self.rect(), int(Qt.AlignmentFlag.AlignCenter), "No contributions to show yet."
            )
            return
        # Legend along the top.
        x = 8.0
        for _key, name, colour in BARS:
            painter.fillRect(QRectF(x, 6, 14, line - 4), QColor(colour))
            painter.setPen(text)
            width = painter.fontMetrics().horizontalAdvance(name) + 12
            painter.drawText(QRectF(x + 18, 2, width, line), int(Qt.AlignmentFlag.AlignLeft), name)
            x += width + 26
        top = 8.0 + line + 6
        label_width = max(painter.fontMetrics().horizontalAdvance(r["label"]) for r in self.rows)
        label_width = min(label_width + 12, self.width() * 0.35)
        chart_left = 8 + label_width
        chart_width = max(self.width() - chart_left - 60, 40)
        bar = max((self.height() - top - 10) / len(self.rows) / (len(BARS) + 1), 4.0)
        bar = min(bar, line * 0.9)
        small = QFont(font)
        small.setPointSizeF(max(font.pointSizeF() - 2, 7))
        for row in self.rows:
            block = bar * len(BARS)
            painter.setFont(font)
            painter.setPen(text)
            painter.drawText(
                QRectF(8, top, label_width - 8, block),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                row["label"],
            )
            painter.setFont(small)
            for i, (key, _name, colour) in enumerate(BARS):
                share = float(row.get(key) or 0.0)
                y = top + i * bar
                rect = QRectF(chart_left, y + 1, chart_width * share, bar - 2)
                painter.fillRect(rect, QColor(colour))
                painter.setPen(text)
                painter.drawText(
                    QRectF(rect.right() + 4, y, 56, bar),
                    int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                    f"{round(share * 100)}%",
                )
            top += block + bar
        painter.setPen(QPen(text, 1))
        painter.drawLine(chart_left, 8 + line + 4, chart_left, top - bar)


class VoicesPanel(RefreshWhenShown, QWidget):
    """Scope selector, chart, warnings and single-group items; refreshed on model changes."""

    item_chosen = Signal(str, str)  # (kind "factor"/"link", id)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("voices-panel")
        self.project: Project | None = None
        self.map_id: str | None = None
        self.result: dict[str, Any] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        row = QHBoxLayout()
        scope_label = QLabel("&Balance for:")
        self.scope = QComboBox()
        self.scope.setObjectName("voices-scope")
        self.scope.setAccessibleName("Whose contributions to count: this map, a session, all")
        self.scope.setToolTip(
            "Count what people put in on this map, in one workshop, or in the whole project, "
            "and compare it with who was in the room"
        )
        scope_label.setBuddy(self.scope)
        self.scope.currentIndexChanged.connect(lambda _i: self.refresh())
        self.scope.activated.connect(lambda _i: setattr(self, "_picked", self.scope.currentData()))
        self._picked: str | None = None
        row.addWidget(scope_label)
        row.addWidget(self.scope, 1)
        layout.addLayout(row)
        self.warnings = QLabel()
        self.warnings.setObjectName("voices-warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setTextFormat(Qt.TextFormat.RichText)
        warning_font = QFont(self.font())
        warning_font.setPointSizeF(warning_font.pointSizeF() + 2)
        warning_font.setBold(True)
        self.warnings.setFont(warning_font)
        layout.addWidget(self.warnings)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.chart = VoicesChart()
        splitter.addWidget(self.chart)
        single = QWidget()
        column = QVBoxLayout(single)
        column.setContentsMargins(0, 0, 0, 0)
        self.single_caption = QLabel("Items only one group put forward or marked:")
        self.single_caption.setWordWrap(True)
        column.addWidget(self.single_caption)
        self.single = QListWidget()
        self.single.setObjectName("voices-single-group")
        self.single.setAccessibleName("Items resting on a single group")
        self.single.setToolTip(
            "Factors and links that only one group suggested or marked: worth checking with "
            "the others"
        )
        self.single.itemActivated.connect(self._item_activated)
        self.single.itemClicked.connect(self._item_activated)
        column.addWidget(self.single)
        splitter.addWidget(single)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout.addWidget(splitter, 1)

    # -- scope --------------------------------------------------------------------------

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self._fill_scopes()
        self.refresh()

    def set_map(self, map_id: str | None) -> None:
        self.map_id = map_id
        self._fill_scopes()
        self.refresh()

    def _fill_scopes(self) -> None:
        # What the user picked stays; otherwise the open map (or the project).
        current = self._picked or SCOPE_MAP
        self.scope.blockSignals(True)
        self.scope.clear()
        project = self.project
        if project is not None:
            if self.map_id is not None and self.map_id in {m.id for m in project.maps()}:
                self.scope.addItem(f"This map: {project.map_info(self.map_id).name}", SCOPE_MAP)
            for session in sorted(project.sessions.values(), key=lambda s: (s.date, s.title)):
                self.scope.addItem(f"Session: {session.date} {session.title}", session.id)
            self.scope.addItem("The whole project", SCOPE_PROJECT)
        index = self.scope.findData(current)
        self.scope.setCurrentIndex(index if index >= 0 else max(self.scope.count() - 1, 0))
        self.scope.blockSignals(False)

    def set_scope(self, scope: str) -> None:
        """SCOPE_MAP, SCOPE_PROJECT or a session id."""
        self._picked = scope
        self.scope.setCurrentIndex(self.scope.findData(scope))

    # -- refreshing ---------------------------------------------------------------------

    def project_changed(self, change: Change) -> None:
        if change.touches("sessions") or change.touches("maps"):
            self._fill_scopes()
        if any(change.touches(t) for t in WATCHED):
            self.refresh()

    def map_changed(self, change: Change) -> None:
        # The project's listeners hear every map change too (project_changed): one
        # recomputation per edit is enough.
        pass

    def refresh(self) -> None:
        # It reads the whole audit log: too slow to repeat on every edit while not seen.
        if self.deferred_while_hidden():
            return
        project = self.project
        scope = self.scope.currentData()
        if project is None or scope is None:
            self._show(None)
            return
        if not voices_available():
            self._show(None, "Balance of voices is not available in this version of ipsmap.")
            return
        from ipsmap.analysis.voices import balance_of_voices

        if scope == SCOPE_MAP:
            result = balance_of_voices(project, map_id=self.map_id)
        elif scope == SCOPE_PROJECT:
            result = balance_of_voices(project)
        else:
            result = balance_of_voices(project, session_id=scope)
        self._show(result)

    def _show(self, result: dict[str, Any] | None, problem: str = "") -> None:
        self.result = result
        self.chart.set_rows(result["groups"] if result else [])
        warnings = result["warnings"] if result else ([problem] if problem else [])
        if warnings:
            items = "".join(f"<li>{_escape(w)}</li>" for w in warnings)
            self.warnings.setText(
                f"<div style='color:#b71c1c'>⚠ Voices to listen for:<ul>{items}</ul></div>"
            )
        elif result:
            self.warnings.setText(
                "<div style='color:#1b5e20'>No group is far below its share of the room.</div>"
            )
        else:
            self.warnings.clear()
        self.single.clear()
        from ipsmap.model.entities import GROUP_LABELS

        # The open map's name in front of its items says nothing (other maps' items keep it).
        open_map = (
            self.project.map_info(self.map_id).name
            if self.project is not None and self.map_id in {m.id for m in self.project.maps()}
            else None
        )
        prefix = f"{open_map}: " if open_map else ""
        entries = result["single_group_items"] if result else []
        self.single.setUpdatesEnabled(False)
        for entry in entries[:MAX_LISTED]:
            group = GROUP_LABELS.get(entry["group"], entry["group"])
            label = entry["label"].removeprefix(prefix) if prefix else entry["label"]
            item = QListWidgetItem(f"{label}  ({group} only)")
            item.setData(Qt.ItemDataRole.UserRole, (entry["kind"], entry["id"]))
            self.single.addItem(item)
        self.single.setUpdatesEnabled(True)
        more = f"; the first {MAX_LISTED} are listed" if len(entries) > MAX_LISTED else ""
        self.single_caption.setText(
            f"{len(entries)} items only one group put forward or marked{more} "
            "(double-click to find it):"
        )

    def _item_activated(self, item: QListWidgetItem) -> None:
        kind, key = item.data(Qt.ItemDataRole.UserRole)
        self.item_chosen.emit(kind, key)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
