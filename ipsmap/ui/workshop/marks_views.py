"""What the marks add up to: an importance × controllability grid and a ranking of factors.

Both read ``summarise_marks`` for the open map, filtered by stakeholder group and site,
and redraw whenever marks, participants or the map change.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ipsmap.model.changes import Change
from ipsmap.model.entities import GROUP_LABELS, STAKEHOLDER_GROUPS
from ipsmap.model.mark_summary import FactorMarks, MarkSummary, summarise_marks
from ipsmap.model.project import Project
from ipsmap.ui.on_screen import RefreshWhenShown

# Quadrant captions, in plain words: (important?, controllable?) -> caption.
QUADRANTS = {
    (True, True): "Act here: important and within reach",
    (True, False): "Important but hard to change: find partners or push for change",
    (False, True): "Within reach but less important: quick wins?",
    (False, False): "Less important and hard to change: keep an eye on it",
}
AGREEMENT_TEXT = {"agree": "Groups agree", "disagree": "Groups disagree", "mixed": "Mixed", "": ""}
AGREEMENT_COLORS = {"agree": "#1b5e20", "disagree": "#b71c1c", "mixed": "#8d6e00"}
ALL = "__all__"


class MarksGrid(QWidget):
    """The 2×2 chart: x = share saying controllable, y = share saying important."""

    factor_clicked = Signal(str)

    MARGIN = 60.0

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("marks-grid")
        self.setAccessibleName("Importance and controllability grid (arrow keys pick a factor)")
        self.setMinimumSize(360, 320)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.summary: MarkSummary | None = None
        self.points: dict[str, tuple[QPointF, float, FactorMarks]] = {}
        self.current: str | None = None
        self.high_contrast = False
        self.x_max = self.y_max = 1.0
        # Where each label was drawn last (factors without a free place have none).
        self.label_boxes: dict[str, QRectF] = {}
        self.caption_boxes: list[QRectF] = []

    def sizeHint(self) -> QSize:
        return QSize(520, 460)

    def set_summary(self, summary: MarkSummary | None) -> None:
        self.summary = summary
        self._place()
        self.update()

    def plot_rect(self) -> QRectF:
        m = self.MARGIN
        return QRectF(m, 24, max(self.width() - m - 16, 10), max(self.height() - m - 24, 10))

    def _place(self) -> None:
        """Where each marked factor goes; points sharing a spot are spread in a small ring."""
        self.points = {}
        if self.summary is None:
            return
        rect = self.plot_rect()
        spots: dict[tuple[float, float], list[FactorMarks]] = {}
        for entry in self.summary.ranked():
            spot = (
                round(entry.total.share("controllable"), 3),
                round(entry.total.share("important"), 3),
            )
            spots.setdefault(spot, []).append(entry)
        top_votes = max((e.total.votes for e in self.summary.ranked()), default=0) or 1
        # Axes run to the highest share (rounded up to 10%), not always to 100%: in a real
        # room few factors are marked by most people, and the middle lines then split the
        # factors into more- and less-marked halves. Points keep clear of the frame.
        self.x_max = _axis_max(max((x for x, _y in spots), default=0.0))
        self.y_max = _axis_max(max((y for _x, y in spots), default=0.0))
        inner = rect.adjusted(14, 14, -14, -14)
        for (cx, cy), entries in spots.items():
            centre = QPointF(
                inner.left() + cx / self.x_max * inner.width(),
                inner.bottom() - cy / self.y_max * inner.height(),
            )
            for i, entry in enumerate(entries):
                offset = QPointF(0, 0)
                if len(entries) > 1:
                    angle = 2 * math.pi * i / len(entries)
                    ring = 10 + 2.5 * len(entries)
                    offset = QPointF(ring * math.cos(angle), ring * math.sin(angle))
                radius = 5 + 13 * (entry.total.votes / top_votes) ** 0.5
                self.points[entry.factor_id] = (centre + offset, radius, entry)

    def resizeEvent(self, event) -> None:
        self._place()
        super().resizeEvent(event)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.plot_rect()
        text = self.palette().windowText().color()
        painter.fillRect(self.rect(), self.palette().base())
        mid_x, mid_y = rect.center().x(), rect.center().y()
        shades = {
            (True, True): "#e3f2e1",
            (True, False): "#fdf1dc",
            (False, True): "#e6eef9",
            (False, False): "#f1f1f1",
        }
        small = QFont(self.font())
        small.setPointSizeF(max(self.font().pointSizeF() - 1, 7))
        captions: list[QRectF] = []
        for (important, controllable), caption in QUADRANTS.items():
            quad = QRectF(
                mid_x if controllable else rect.left(),
                rect.top() if important else mid_y,
                rect.width() / 2,
                rect.height() / 2,
            )
            painter.fillRect(
                quad, QColor("#ffffff" if self.high_contrast else shades[(important, controllable)])
            )
            painter.setPen(QColor("#333333"))
            painter.setFont(small)
            flags = int(
                Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap
            )
            captions.append(painter.boundingRect(quad.adjusted(6, 4, -6, -4), flags, caption))
            painter.drawText(quad.adjusted(6, 4, -6, -4), flags, caption)
        painter.setPen(QPen(text, 2 if self.high_contrast else 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)
        painter.drawLine(QPointF(mid_x, rect.top()), QPointF(mid_x, rect.bottom()))
        painter.drawLine(QPointF(rect.left(), mid_y), QPointF(rect.right(), mid_y))
        painter.setFont(self.font())
        painter.drawText(
            QRectF(rect.left(), rect.bottom() + 18, rect.width(), 24),
            int(Qt.AlignmentFlag.AlignCenter),
            "Share who said we can act on it (controllable) →",
        )
        painter.save()
        painter.translate(16, rect.bottom())
        painter.rotate(-90)
        painter.drawText(
            QRectF(0, 0, rect.height(), 24),
            int(Qt.AlignmentFlag.AlignCenter),
            "Share who said it matters (important) →",
        )
        painter.restore()
        painter.setFont(small)
        inner = rect.adjusted(14, 14, -14, -14)
        for fraction in (0.0, 0.5, 1.0):
            x = inner.left() + fraction * inner.width()
            painter.drawText(
                QRectF(x - 24, rect.bottom() + 2, 48, 16),
                int(Qt.AlignmentFlag.AlignCenter),
                _percent(fraction * self.x_max),
            )
            y = inner.bottom() - fraction * inner.height()
            painter.drawText(
                QRectF(rect.left() - 46, y - 8, 42, 16),
                int(Qt.AlignmentFlag.AlignRight),
                _percent(fraction * self.y_max),
            )
        if not self.points:
            painter.setFont(self.font())
            painter.drawText(
                rect,
                int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                "No marks yet for these people.\nWorkshop → Collect marks… to add some.",
            )
            return
        # Points first (largest underneath), then labels where they do not overlap.
        order = sorted(self.points.items(), key=lambda kv: -kv[1][1])
        for factor_id, (centre, radius, entry) in order:
            colour = QColor(AGREEMENT_COLORS.get(entry.agreement, "#1565c0"))
            colour.setAlpha(200)
            chosen = factor_id == self.current
            painter.setPen(QPen(QColor("#000000"), 3 if chosen else 1))
            painter.setBrush(colour)
            painter.drawEllipse(centre, radius, radius)
        metrics = QFontMetricsF(small)
        self.label_boxes = {}
        # A label goes right, left, above or below its dot, inside the frame, wherever it
        # covers no other dot, no quadrant caption and no other label; a factor with no
        # such place keeps its name for the tooltip and the keyboard (the chosen factor is
        # placed first).
        dots = {
            f: QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r) for f, (c, r, _e) in self.points.items()
        }
        self.caption_boxes = captions
        taken: list[QRectF] = list(captions)
        for factor_id, (centre, radius, entry) in sorted(
            self.points.items(), key=lambda kv: (kv[0] != self.current, -kv[1][2].total.votes)
        ):
            label = metrics.elidedText(entry.label, Qt.TextElideMode.ElideRight, 150)
            box = _label_place(
                metrics.boundingRect(label).adjusted(-2, -1, 2, 1),
                centre,
                radius,
                rect.adjusted(1, 1, -1, -1),  # inside the frame: clear of the axis titles
                [d for f, d in dots.items() if f != factor_id] + taken,
            )
            if box is None:
                continue
            taken.append(box)
            self.label_boxes[factor_id] = box
            painter.fillRect(box, QColor(255, 255, 255, 210))
            painter.setPen(QColor("#000000"))
            painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), label)

    def point_at(self, pos: QPointF) -> str | None:
        best, best_distance = None, None
        for factor_id, (centre, radius, _entry) in self.points.items():
            distance = (centre - pos).manhattanLength()
            if distance <= radius + 4 and (best_distance is None or distance < best_distance):
                best, best_distance = factor_id, distance
        return best

    def mousePressEvent(self, event) -> None:
        factor_id = self.point_at(event.position())
        if factor_id is not None:
            self.choose(factor_id)

    def mouseMoveEvent(self, event) -> None:
        factor_id = self.point_at(event.position())
        if factor_id is None:
            QToolTip.hideText()
            return
        entry = self.points[factor_id][2]
        QToolTip.showText(event.globalPosition().toPoint(), describe(entry), self)

    def keyPressEvent(self, event) -> None:
        order = [e.factor_id for e in self.summary.ranked()] if self.summary else []
        if not order:
            return super().keyPressEvent(event)
        step = {
            Qt.Key.Key_Right: 1,
            Qt.Key.Key_Down: 1,
            Qt.Key.Key_Left: -1,
            Qt.Key.Key_Up: -1,
        }.get(event.key())
        if step is None:
            return super().keyPressEvent(event)
        index = order.index(self.current) + step if self.current in order else 0
        self.choose(order[index % len(order)])

    def choose(self, factor_id: str) -> None:
        self.current = factor_id
        self.update()
        self.factor_clicked.emit(factor_id)


def _label_place(
    box: QRectF, centre: QPointF, radius: float, bounds: QRectF, obstacles: list[QRectF]
) -> QRectF | None:
    """Where a label of ``box``'s size can sit beside its dot without covering anything."""
    gap = radius + 3
    w, h = box.width(), box.height()
    for x, y in (
        (centre.x() + gap, centre.y() - h / 2),
        (centre.x() - gap - w, centre.y() - h / 2),
        (centre.x() - w / 2, centre.y() - gap - h),
        (centre.x() - w / 2, centre.y() + gap),
    ):
        place = QRectF(x, y, w, h)
        if bounds.contains(place) and not any(place.intersects(o) for o in obstacles):
            return place
    return None


def _axis_max(share: float) -> float:
    return min(max(math.ceil(share * 10 - 1e-9) / 10, 0.2), 1.0)


def describe(entry: FactorMarks) -> str:
    t = entry.total
    lines = [
        entry.label,
        f"Important: {t.important} of {t.markers} people · Controllable: {t.controllable} · "
        f"Vulnerable: {t.vulnerable} · Votes: {t.votes:g}",
    ]
    if entry.agreement:
        lines.append(f"{AGREEMENT_TEXT[entry.agreement]}: {entry.agreement_note}")
    return "\n".join(lines)


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


class _Number(QTableWidgetItem):
    """A cell that sorts by its number, not its text."""

    def __init__(self, text: str, value: float) -> None:
        super().__init__(text)
        self.value = value
        self.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def __lt__(self, other) -> bool:
        return self.value < getattr(other, "value", 0)


class MarksRanking(QTableWidget):
    """Factors ranked by votes and importance, with each group's view and whether they agree."""

    factor_clicked = Signal(str)

    def __init__(self) -> None:
        super().__init__(0, 0)
        self.setObjectName("marks-ranking")
        self.setAccessibleName("Factors ranked by marks")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTabKeyNavigation(False)
        self.verticalHeader().hide()
        self.setSortingEnabled(True)
        self.itemSelectionChanged.connect(self._selected)

    def set_summary(self, summary: MarkSummary | None) -> None:
        self.setSortingEnabled(False)
        self.clear()
        groups = [g for g in STAKEHOLDER_GROUPS if summary and summary.markers_by_group.get(g)]
        headers = ["#", "Factor", "Votes", "★ Important", "⚒ Controllable", "⚡ Vulnerable"]
        headers += [f"{GROUP_LABELS[g]}: important" for g in groups]
        headers += ["Agreement"]
        self.setColumnCount(len(headers))
        self.setHorizontalHeaderLabels(headers)
        entries = summary.ranked() if summary else []
        self.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            t = entry.total
            name = QTableWidgetItem(entry.label)
            name.setData(Qt.ItemDataRole.UserRole, entry.factor_id)
            name.setToolTip(describe(entry))
            cells = [
                _Number(str(row + 1), row + 1),
                name,
                _Number(f"{t.votes:g}", t.votes),
                _Number(_percent(t.share("important")), t.share("important")),
                _Number(_percent(t.share("controllable")), t.share("controllable")),
                _Number(_percent(t.share("vulnerable")), t.share("vulnerable")),
            ]
            for g in groups:
                tally = entry.by_group.get(g)
                share = tally.share("important") if tally else 0.0
                cells.append(_Number(_percent(share), share))
            agreement = QTableWidgetItem(AGREEMENT_TEXT[entry.agreement])
            agreement.setToolTip(entry.agreement_note)
            if entry.agreement:
                agreement.setForeground(QColor(AGREEMENT_COLORS[entry.agreement]))
                agreement.setText(f"{AGREEMENT_TEXT[entry.agreement]} ({entry.agreement_note})")
            cells.append(agreement)
            for column, cell in enumerate(cells):
                self.setItem(row, column, cell)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setSortingEnabled(True)

    def factor_id_at(self, row: int) -> str | None:
        item = self.item(row, 1)
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _selected(self) -> None:
        rows = self.selectionModel().selectedRows()
        if rows:
            factor_id = self.factor_id_at(rows[0].row())
            if factor_id:
                self.factor_clicked.emit(factor_id)


class MarksPanel(RefreshWhenShown, QWidget):
    """Filters above, the grid and the ranking in tabs below."""

    factor_chosen = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("marks-panel")
        self.project: Project | None = None
        self.map_id: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        filters = QHBoxLayout()
        group_label = QLabel("&Group:")
        self.group_filter = QComboBox()
        self.group_filter.setObjectName("marks-group-filter")
        self.group_filter.setAccessibleName("Show marks from this group")
        self.group_filter.setToolTip(
            "Only the marks given by one group: parents and carers, practitioners (people who "
            "work with families), community members…"
        )
        group_label.setBuddy(self.group_filter)
        self.group_filter.addItem("Everyone", ALL)
        for group in STAKEHOLDER_GROUPS:
            self.group_filter.addItem(GROUP_LABELS[group], group)
        site_label = QLabel("S&ite:")
        self.site_filter = QComboBox()
        self.site_filter.setObjectName("marks-site-filter")
        self.site_filter.setAccessibleName("Show marks from people at this site")
        self.site_filter.setToolTip("Only the marks given by people from one place")
        site_label.setBuddy(self.site_filter)
        for combo in (self.group_filter, self.site_filter):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        filters.addWidget(group_label)
        filters.addWidget(self.group_filter)
        filters.addWidget(site_label)
        filters.addWidget(self.site_filter)
        filters.addStretch(1)
        layout.addLayout(filters)
        self.caption = QLabel()
        self.caption.setObjectName("marks-caption")
        self.caption.setWordWrap(True)
        layout.addWidget(self.caption)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("marks-tabs")
        self.grid = MarksGrid()
        self.ranking = MarksRanking()
        self.tabs.addTab(self.grid, "Importance × controllability")
        self.tabs.addTab(self.ranking, "Ranking")
        layout.addWidget(self.tabs, 1)
        self.grid.factor_clicked.connect(self.factor_chosen)
        self.ranking.factor_clicked.connect(self.factor_chosen)
        self.summary: MarkSummary | None = None

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self._fill_sites()
        self.refresh()

    def set_map(self, map_id: str | None) -> None:
        self.map_id = map_id
        self.refresh()

    def project_changed(self, change: Change) -> None:
        if change.touches("participants"):
            self._fill_sites()
        if change.touches("marks") or change.touches("participants") or change.touches("maps"):
            self.refresh()

    def map_changed(self, change: Change) -> None:
        if change.touches("factors"):
            self.refresh()

    def _fill_sites(self) -> None:
        current = self.site_filter.currentData()
        self.site_filter.blockSignals(True)
        self.site_filter.clear()
        self.site_filter.addItem("All sites", ALL)
        sites = (
            sorted({p.site for p in self.project.participants.values() if p.site})
            if self.project
            else []
        )
        for site in sites:
            self.site_filter.addItem(site, site)
        self.site_filter.setCurrentIndex(max(self.site_filter.findData(current), 0))
        self.site_filter.blockSignals(False)

    def set_filters(self, group: str | None = None, site: str | None = None) -> None:
        self.group_filter.setCurrentIndex(max(self.group_filter.findData(group or ALL), 0))
        self.site_filter.setCurrentIndex(max(self.site_filter.findData(site or ALL), 0))

    def refresh(self) -> None:
        if self.deferred_while_hidden():
            return
        project, map_id = self.project, self.map_id
        if project is None or map_id is None or map_id not in {m.id for m in project.maps()}:
            self.summary = None
            self.caption.setText("Open a map to see its marks.")
        else:
            group = self.group_filter.currentData()
            site = self.site_filter.currentData()
            self.summary = summarise_marks(
                project,
                map_id,
                groups=None if group == ALL else [group],
                sites=None if site == ALL else [site],
            )
            who = "everyone" if group == ALL else GROUP_LABELS[group].lower() + "s"
            where = "" if site == ALL else f" in {site}"
            self.caption.setText(
                f"Marks from {self.summary.markers} people ({who}{where}). "
                "Bigger dots: more votes. Red: groups disagree; green: they agree; "
                "blue: too few people in a group to compare. The axes run to the "
                "highest share."
            )
        self.grid.set_summary(self.summary)
        self.ranking.set_summary(self.summary)

    def set_high_contrast(self, on: bool) -> None:
        self.grid.high_contrast = on
        self.grid.update()
