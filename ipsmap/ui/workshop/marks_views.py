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
from ipsmap.ui.workshop.grid_labels import (
    Box,
    Segment,
    caption_corner,
    leader_line,
    place_label,
)

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
# How wide a factor's label may be before it is shortened (times the grid's zoom): the
# large view first tries whole labels.
LABEL_ROOM = 150.0
LABEL_ROOM_WIDE = 260.0


class MarksGrid(QWidget):
    """The 2×2 chart: x = share saying controllable, y = share saying important.

    ``zoom`` scales its geometry (margins, dots, label room) to go with a larger font: the
    large view on a projector draws it at 1.5× or more.
    """

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
        self.zoom = 1.0
        # (what it was worked out for, captions, labels): see _layout.
        self._laid_out: tuple | None = None

    def set_zoom(self, zoom: float) -> None:
        """Draw margins, dots and label room ``zoom`` times their usual size."""
        self.zoom = zoom
        self._place()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(520, 460)

    def set_summary(self, summary: MarkSummary | None) -> None:
        self.summary = summary
        self._place()
        self.update()

    def plot_rect(self) -> QRectF:
        z = self.zoom
        m = self.MARGIN * z
        return QRectF(
            m, 24 * z, max(self.width() - m - 16 * z, 10), max(self.height() - m - 24 * z, 10)
        )

    def _place(self) -> None:
        """Where each marked factor goes; points sharing a spot are spread in a small ring."""
        self.points = {}
        self._laid_out = None
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
        z = self.zoom
        inner = rect.adjusted(14 * z, 14 * z, -14 * z, -14 * z)
        for (cx, cy), entries in spots.items():
            centre = QPointF(
                inner.left() + cx / self.x_max * inner.width(),
                inner.bottom() - cy / self.y_max * inner.height(),
            )
            for i, entry in enumerate(entries):
                offset = QPointF(0, 0)
                if len(entries) > 1:
                    angle = 2 * math.pi * i / len(entries)
                    ring = (10 + 2.5 * len(entries)) * z
                    offset = QPointF(ring * math.cos(angle), ring * math.sin(angle))
                # Dots grow less than the text: room for every label beside them.
                radius = (5 + 13 * (entry.total.votes / top_votes) ** 0.5) * (1 + (z - 1) / 2)
                self.points[entry.factor_id] = (centre + offset, radius, entry)

    def resizeEvent(self, event) -> None:
        self._place()
        super().resizeEvent(event)

    def _small_font(self) -> QFont:
        small = QFont(self.font())
        small.setPointSizeF(max(self.font().pointSizeF() - 1, 7))
        return small

    def _quadrants(self) -> list[tuple[QRectF, str, bool, bool]]:
        """(area, caption, important, controllable) of the four quadrants."""
        rect = self.plot_rect()
        mid_x, mid_y = rect.center().x(), rect.center().y()
        return [
            (
                QRectF(
                    mid_x if controllable else rect.left(),
                    rect.top() if important else mid_y,
                    rect.width() / 2,
                    rect.height() / 2,
                ),
                caption,
                important,
                controllable,
            )
            for (important, controllable), caption in QUADRANTS.items()
        ]

    def _layout(self) -> tuple[list[tuple[QRectF, str]], dict[str, tuple[QRectF, str, bool]]]:
        """Where captions and labels go; worked out again only when something they depend
        on changed (the search for free places is too slow for every repaint)."""
        key = (self.current, self.font().toString())
        if self._laid_out is not None and self._laid_out[0] == key:
            return self._laid_out[1], self._laid_out[2]
        z = self.zoom
        metrics = QFontMetricsF(self._small_font())
        dots = {
            f: (c.x() - r, c.y() - r, c.x() + r, c.y() + r) for f, (c, r, _e) in self.points.items()
        }
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap)
        captions: list[tuple[QRectF, str]] = []
        for quad, caption, _important, _controllable in self._quadrants():
            room = quad.adjusted(6 * z, 4 * z, -6 * z, -4 * z)
            need = metrics.boundingRect(room, flags, caption)
            # A caption goes to the corner of its quadrant with the fewest dots.
            corner = caption_corner(
                (min(need.width() + 1, room.width()), need.height()),
                (room.left(), room.top(), room.right(), room.bottom()),
                list(dots.values()),
            )
            captions.append((_qrect(corner), caption))
        plot = self.plot_rect().adjusted(1, 1, -1, -1)  # inside the frame: clear of the axes
        bounds = (plot.left(), plot.top(), plot.right(), plot.bottom())
        taken = [(b.left(), b.top(), b.right(), b.bottom()) for b, _c in captions]
        labels: dict[str, tuple[QRectF, str, bool]] = {}
        # Whole labels where they all find a place (the large view), else shortened ones.
        for width in (LABEL_ROOM_WIDE * z, LABEL_ROOM * z):
            labels = self._place_labels(metrics, dots, bounds, taken, width)
            if len(labels) == len(self.points):
                break
        self._laid_out = (key, captions, labels)
        return captions, labels

    def _place_labels(
        self,
        metrics: QFontMetricsF,
        dots: dict[str, Box],
        bounds: Box,
        captions: list[Box],
        width: float,
    ) -> dict[str, tuple[QRectF, str, bool]]:
        """Each factor's label, shortened to ``width``, where it covers nothing."""
        z = self.zoom
        taken = list(captions)
        placed: list[Box] = []
        lines: list[Segment] = []
        labels: dict[str, tuple[QRectF, str, bool]] = {}
        # The chosen factor first, then the most voted: they get the nearest places.
        for factor_id, (centre, radius, entry) in sorted(
            self.points.items(), key=lambda kv: (kv[0] != self.current, -kv[1][2].total.votes)
        ):
            text = metrics.elidedText(entry.label, Qt.TextElideMode.ElideRight, width)
            size = metrics.boundingRect(text).adjusted(-2, -1, 2, 1).size()
            found = place_label(
                (size.width(), size.height()),
                (centre.x(), centre.y()),
                radius + 3 * z,
                bounds,
                [d for f, d in dots.items() if f != factor_id] + taken,
                size.height() * 0.6,
                lines,
                placed,
            )
            if found is None:
                continue
            box, beside = found
            taken.append(box)
            placed.append(box)
            if not beside:
                lines.append(leader_line((centre.x(), centre.y()), radius, box))
            labels[factor_id] = (_qrect(box), text, beside)
        return labels

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        z = self.zoom
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
        small = self._small_font()
        captions, labels = self._layout()
        for quad, _caption, important, controllable in self._quadrants():
            painter.fillRect(
                quad, QColor("#ffffff" if self.high_contrast else shades[(important, controllable)])
            )
        painter.setPen(QColor("#333333"))
        painter.setFont(small)
        for box, caption in captions:
            painter.drawText(
                box, int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap), caption
            )
        self.caption_boxes = [box for box, _caption in captions]
        painter.setPen(QPen(text, (2 if self.high_contrast else 1) * z))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)
        painter.drawLine(QPointF(mid_x, rect.top()), QPointF(mid_x, rect.bottom()))
        painter.drawLine(QPointF(rect.left(), mid_y), QPointF(rect.right(), mid_y))
        self._paint_axes(painter, rect, small)
        if not self.points:
            painter.setFont(self.font())
            painter.drawText(
                rect,
                int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                "No marks yet for these people.\nWorkshop → Collect marks… to add some.",
            )
            self.label_boxes = {}
            return
        # Points first (largest underneath), then the lines to labels set apart, then labels.
        order = sorted(self.points.items(), key=lambda kv: -kv[1][1])
        for factor_id, (centre, radius, entry) in order:
            colour = QColor(AGREEMENT_COLORS.get(entry.agreement, "#1565c0"))
            colour.setAlpha(200)
            chosen = factor_id == self.current
            painter.setPen(QPen(QColor("#000000"), (3 if chosen else 1) * z))
            painter.setBrush(colour)
            painter.drawEllipse(centre, radius, radius)
        painter.setPen(QPen(QColor("#616161"), max(1.0, z)))
        for factor_id, (box, _label, beside) in labels.items():
            if not beside:
                centre, radius, _entry = self.points[factor_id]
                start, end = leader_line(
                    (centre.x(), centre.y()),
                    radius,
                    (box.left(), box.top(), box.right(), box.bottom()),
                )
                painter.drawLine(QPointF(*start), QPointF(*end))
        painter.setFont(small)
        painter.setPen(QColor("#000000"))
        for box, label, _beside in labels.values():
            painter.fillRect(box, QColor(255, 255, 255, 210))
            painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), label)
        # Factors with no free place keep their name for the tooltip and the keyboard.
        self.label_boxes = {f: box for f, (box, _label, _beside) in labels.items()}

    def _paint_axes(self, painter: QPainter, rect: QRectF, small: QFont) -> None:
        z = self.zoom
        painter.setFont(self.font())
        painter.drawText(
            QRectF(rect.left(), rect.bottom() + 18 * z, rect.width(), 24 * z),
            int(Qt.AlignmentFlag.AlignCenter),
            "Share who said we can act on it (controllable) →",
        )
        # The upright title shrinks to the plot's height rather than being cut off.
        title = "Share who said it matters (important) →"
        upright = QFont(self.font())
        width = QFontMetricsF(upright).horizontalAdvance(title)
        room = rect.height() * 0.85  # clear of the top and bottom percentages
        if width > room:
            upright.setPointSizeF(upright.pointSizeF() * max(room / width, 0.6))
        painter.save()
        painter.setFont(upright)
        painter.translate(16 * z, rect.bottom())
        painter.rotate(-90)
        painter.drawText(
            QRectF(0, 0, rect.height(), 24 * z), int(Qt.AlignmentFlag.AlignCenter), title
        )
        painter.restore()
        painter.setFont(small)
        inner = rect.adjusted(14 * z, 14 * z, -14 * z, -14 * z)
        for fraction in (0.0, 0.5, 1.0):
            x = inner.left() + fraction * inner.width()
            painter.drawText(
                QRectF(x - 24 * z, rect.bottom() + 2 * z, 48 * z, 16 * z),
                int(Qt.AlignmentFlag.AlignCenter),
                _percent(fraction * self.x_max),
            )
            y = inner.bottom() - fraction * inner.height()
            painter.drawText(
                QRectF(rect.left() - 46 * z, y - 8 * z, 42 * z, 16 * z),
                int(Qt.AlignmentFlag.AlignRight),
                _percent(fraction * self.y_max),
            )

    def point_at(self, pos: QPointF) -> str | None:
        best, best_distance = None, None
        reach = 4 * self.zoom
        for factor_id, (centre, radius, _entry) in self.points.items():
            distance = (centre - pos).manhattanLength()
            if distance <= radius + reach and (best_distance is None or distance < best_distance):
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


def _qrect(box: Box) -> QRectF:
    return QRectF(box[0], box[1], box[2] - box[0], box[3] - box[1])


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
