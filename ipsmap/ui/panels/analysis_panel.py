"""The Analysis panel: the method's questions in plain words, answered on the canvas.

The answer is highlighted (everything else faded, not hidden); loops are listed with an
R/B badge; "most central" sizes factors by a metric; "what if" shows a bar chart of
relative changes. The computing is in ipsmap.analysis (no Qt); this panel only asks and shows.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ipsmap.analysis import questions
from ipsmap.analysis.questions import NEEDS_FOCUS, answer_question
from ipsmap.analysis.squashing import SIGMOID, TANH
from ipsmap.model.command import named
from ipsmap.model.commands import EditMap
from ipsmap.ui.canvas.map_editor import MapEditor
from ipsmap.ui.canvas.scene import MapScene
from ipsmap.ui.hallway import Hallway
from ipsmap.ui.worker import run_in_worker

QUESTIONS = list(questions.QUESTIONS.items())
METRICS = [
    ("betweenness", "Betweenness (bridges between parts of the map)"),
    ("pagerank", "PageRank (influenced by influential factors)"),
    ("in_degree", "Number of causes (links in)"),
    ("out_degree", "Number of effects (links out)"),
    ("reach", "Reach (share of the map within two steps)"),
    ("closeness", "Closeness"),
    ("trophic_level", "Trophic level (position in the causal chain)"),
]
BADGES = {"reinforcing": "R", "balancing": "B", "unknown": "?"}
# From this many factors, loops, metrics and what-ifs run in a worker with a progress dialog.
WORKER_THRESHOLD = 1000


class ChangeChart(QWidget):
    """Horizontal bars: each factor's change against the baseline (what-if results)."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("scenario-chart")
        self.setAccessibleName("What-if result chart")
        self.bars: list[tuple[str, float]] = []
        self.setMinimumHeight(60)

    def set_bars(self, bars: list[tuple[str, float]]) -> None:
        self.bars = bars
        self.setMinimumHeight(24 + 20 * len(bars))
        self.setAccessibleDescription(
            "; ".join(f"{label}: {'up' if v > 0 else 'down'} {abs(v):.2f}" for label, v in bars)
        )
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if not self.bars:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No result yet")
            return
        width = self.width()
        label_width = min(180, width // 2)
        middle = label_width + (width - label_width) / 2
        biggest = max(abs(v) for _, v in self.bars) or 1.0
        half = (width - label_width) / 2 - 6
        for i, (label, value) in enumerate(self.bars):
            top = 4 + i * 20
            painter.setPen(QColor("#212121"))
            text = self.fontMetrics().elidedText(
                label, Qt.TextElideMode.ElideRight, label_width - 8
            )
            painter.drawText(
                QRectF(0, top, label_width - 6, 18),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                text,
            )
            length = half * abs(value) / biggest
            left = middle if value >= 0 else middle - length
            painter.fillRect(
                QRectF(left, top + 3, max(length, 1), 12),
                QColor("#2e7d32" if value >= 0 else "#c62828"),
            )
        painter.setPen(QColor("#616161"))
        painter.drawLine(int(middle), 0, int(middle), self.height())
        painter.end()


class AnalysisPanel(QWidget):
    """Asks one question about the selected factors and shows the answer."""

    # Factors sized by a metric (True) or back to their usual size (False).
    sizing_changed = Signal(bool)

    def __init__(self, hallway: Hallway, editor: MapEditor, scene: MapScene) -> None:
        super().__init__()
        self.setObjectName("analysis-panel")
        self.setAccessibleName("Analysis")
        self.editor = editor
        self.scene = scene
        self._loops: list = []
        self._answer: set[str] = set()
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.saved = QComboBox()
        self.saved.setObjectName("analysis-saved-views")
        self.saved.setAccessibleName("Saved views")
        self.saved.setToolTip("Views saved with this map: choose one to show it again")
        self.saved.activated.connect(self._saved_chosen)
        form.addRow("Saved views", self.saved)
        self.question = QComboBox()
        self.question.setObjectName("analysis-question")
        self.question.setAccessibleName("Question")
        for key, text in QUESTIONS:
            self.question.addItem(text, key)
        self.question.currentIndexChanged.connect(self._question_changed)
        form.addRow("Question", self.question)
        self.depth = QSpinBox()
        self.depth.setObjectName("analysis-depth")
        self.depth.setRange(0, 20)
        self.depth.setSpecialValueText("any number of steps")
        self.depth.setToolTip("How many links away to look (any number of steps = all)")
        form.addRow("Steps", self.depth)
        self.loop_length = QSpinBox()
        self.loop_length.setObjectName("analysis-loop-length")
        self.loop_length.setRange(2, 12)
        self.loop_length.setValue(6)
        form.addRow("Longest loop", self.loop_length)
        self.metric_choice = QComboBox()
        self.metric_choice.setObjectName("analysis-metric")
        for key, text in METRICS:
            self.metric_choice.addItem(text, key)
        form.addRow("Measure", self.metric_choice)
        self.direction = QComboBox()
        self.direction.setObjectName("analysis-direction")
        self.direction.addItem("goes up", "up")
        self.direction.addItem("goes down", "down")
        self.function = QComboBox()
        self.function.setObjectName("analysis-function")
        # tanh first: with sigmoid most factors of a dense map saturate near 1, so a change
        # shows as a tiny difference; tanh keeps directions visible.
        self.function.addItem("tanh (−1 to 1)", TANH)
        self.function.addItem("sigmoid (0 to 1)", SIGMOID)
        form.addRow("If it", self.direction)
        form.addRow("Squashing", self.function)
        layout.addLayout(form)
        self.form = form
        buttons = QHBoxLayout()
        self.ask_button = QPushButton("Show the answer")
        self.ask_button.setObjectName("analysis-ask")
        self.ask_button.clicked.connect(self.ask)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("analysis-clear")
        self.clear_button.clicked.connect(self.clear)
        self.save_button = QPushButton("Save view…")
        self.save_button.setObjectName("analysis-save-view")
        self.save_button.setToolTip("Keep this question and answer by name, for reports")
        self.save_button.clicked.connect(lambda: self.save_view())
        for button in (self.ask_button, self.clear_button, self.save_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.summary = QLabel("Select factors on the map, choose a question, then Show.")
        self.summary.setObjectName("analysis-summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.results = QListWidget()
        self.results.setObjectName("analysis-results")
        self.results.setAccessibleName("Analysis results")
        self.results.currentRowChanged.connect(self._result_chosen)
        layout.addWidget(self.results, 1)
        self.chart = ChangeChart()
        layout.addWidget(self.chart)
        self._question_changed()
        # Another map shown: the answer on the canvas belonged to the one before.
        hallway.document_changed.connect(lambda _document: self.clear())
        hallway.model_changed.connect(lambda change: self.refresh_saved())

    # -- saved views ------------------------------------------------------------------------

    def saved_views(self) -> list[dict]:
        document = self.editor.document
        return list(document.info.attributes.get("views", [])) if document is not None else []

    def refresh_saved(self) -> None:
        names = [v.get("name", "") for v in self.saved_views()]
        current = [self.saved.itemText(i) for i in range(1, self.saved.count())]
        if names == current:
            return
        self.saved.clear()
        self.saved.addItem("(choose a saved view)" if names else "(none saved yet)", None)
        for name in names:
            self.saved.addItem(name, name)

    def apply_view(self, name: str) -> bool:
        """Show a saved view again: its question, settings and focus, answered anew."""
        view = next((v for v in self.saved_views() if v.get("name") == name), None)
        document = self.editor.document
        if view is None or document is None:
            return False
        for combo, key in (
            (self.question, "question"),
            (self.metric_choice, "metric"),
            (self.direction, "direction"),
            (self.function, "function"),
        ):
            index = combo.findData(view.get(key))
            if index >= 0:
                combo.setCurrentIndex(index)
        self.depth.setValue(int(view.get("depth", 0)))
        self.loop_length.setValue(int(view.get("loop_length", 6)))
        focus = [f for f in view.get("focus", []) if f in document.factors]
        self.editor.select(focus)
        self.editor.restore_selection_order(focus)
        self.ask()
        return True

    def _saved_chosen(self, index: int) -> None:
        name = self.saved.itemData(index)
        if name:
            self.apply_view(name)

    # -- asking ---------------------------------------------------------------------------

    def _question_changed(self) -> None:
        key = self.question.currentData()
        # Only the settings that matter for this question are shown.
        self.form.setRowVisible(self.depth, key in ("affects", "influences"))
        self.form.setRowVisible(self.loop_length, key == "loops")
        self.form.setRowVisible(self.metric_choice, key == "central")
        self.form.setRowVisible(self.direction, key == "whatif")
        self.form.setRowVisible(self.function, key == "whatif")
        self.chart.setVisible(key == "whatif")

    def ask(self) -> None:
        """Answer the chosen question for the current selection."""
        document = self.editor.document
        if document is None:
            return
        key = self.question.currentData()
        selected = self.editor.selection_in_order()
        if key in NEEDS_FOCUS and not selected:
            self.summary.setText("Select one or more factors on the map first.")
            return
        from ipsmap.analysis.graph import to_digraph  # networkx: loaded when first asked

        graph = to_digraph(document.state)
        self.results.clear()
        self._loops = []
        self._reset_sizes()
        label = {f: document.factors[f].label for f in document.factors}
        if key in ("affects", "influences"):
            answer = answer_question(graph, key, selected, depth=self.depth.value() or None)
            others = sorted(answer.factors - set(selected), key=lambda f: label[f].casefold())
            verb = "affects" if key == "affects" else "is influenced by"
            self.summary.setText(f"{_names(selected, label)} {verb} {len(others)} factors.")
            self._list(label[f] for f in others)
            self._highlight(answer.factors, answer.links)
        elif key == "connected":
            sources, targets = selected[:1], selected[1:] or selected[:1]
            answer = answer_question(graph, key, selected)
            self.summary.setText(
                f"{len(answer.factors)} factors and {len(answer.links)} links lie on paths from "
                f"{_names(sources, label)} to {_names(targets, label)}."
            )
            self._highlight(answer.factors, answer.links)
        elif key == "loops":
            max_length = self.loop_length.value()
            self._compute(
                "Finding feedback loops…",
                lambda: answer_question(graph, key, selected, loop_length=max_length).detail,
                lambda listing: self._show_loops(listing, max_length, label),
            )
        elif key == "central":
            metric = self.metric_choice.currentData()
            self._compute(
                "Measuring every factor…",
                lambda: answer_question(graph, key, selected, metric=metric).detail,
                lambda values: self._show_central(values, label),
            )
        elif key == "whatif":
            direction, function = self.direction.currentData(), self.function.currentData()
            self._compute(
                "Running the what-if…",
                lambda: (
                    answer_question(
                        graph, key, selected, direction=direction, function=function
                    ).detail
                ),
                lambda result: self._show_scenario(result, selected, label),
            )

    def _compute(self, label: str, compute, show) -> None:
        """Small maps are answered at once; big ones in a worker (cancellable)."""
        document = self.editor.document
        if document is not None and len(document.factors) >= WORKER_THRESHOLD:
            self.summary.setText(label)
            run_in_worker(self, label, compute, show, self.summary.setText)
        else:
            show(compute())

    def _show_loops(self, listing, max_length: int, label: dict[str, str]) -> None:
        self._loops = listing.items
        state = "all of them" if listing.complete else f"stopped: {listing.stopped_because}"
        self.summary.setText(
            f"{listing.count} loops up to {max_length} links ({state}): "
            f"{listing.reinforcing} reinforcing (R), {listing.balancing} balancing (B), "
            f"{listing.unknown} unknown (?). Click a loop to show it."
        )
        for loop in listing.items:
            names = " → ".join(label[f] for f in (*loop.factors, loop.factors[0]))
            self.results.addItem(QListWidgetItem(f"[{BADGES[loop.polarity]}] {names}"))
        involved = {f for loop in listing.items for f in loop.factors}
        self._highlight(involved, {x for loop in listing.items for x in loop.links})

    def _show_central(self, values: dict[str, float], label: dict[str, str]) -> None:
        ranked = sorted(values, key=lambda f: -values[f])
        low, high = min(values.values(), default=0), max(values.values(), default=0)
        self.summary.setText(
            f"Factors sized by {self.metric_choice.currentText().split(' (')[0].lower()}: "
            f"smallest {low:.3g}, largest {high:.3g}. The largest matter most by this "
            "measure."
        )
        self._list(f"{label[f]} — {values[f]:.3g}" for f in ranked[:20])
        self._size_by(values)
        self.scene.set_faded(set())

    def _show_scenario(self, result, selected: list[str], label: dict[str, str]) -> None:
        changes = sorted(
            (
                c
                for c in result.factors.values()
                if c.direction != "no change" and c.factor_id not in selected
            ),
            key=lambda c: -abs(c.change),
        )
        if result.scenario.converged:
            state = "settled"
        elif result.scenario.oscillating:
            state = "kept oscillating"
        else:
            state = "did not settle"
        self.summary.setText(
            f"If {_names(selected, label)} {self.direction.currentText()}, "
            f"{len(changes)} factors change (the model {state}). These are relative "
            "directions from the map's links, not predictions."
        )
        self.chart.set_bars([(label[c.factor_id], c.change) for c in changes[:15]])
        self._list(f"{label[c.factor_id]}: {c.direction} ({c.change:+.3f})" for c in changes)
        self._highlight({c.factor_id for c in changes} | set(selected), set())
        self._last_scenario = result

    def clear(self) -> None:
        """Show the whole map again."""
        self.refresh_saved()
        self.scene.set_faded(set())
        self._reset_sizes()
        self.results.clear()
        self.chart.set_bars([])
        self._answer = set()
        self.summary.setText("Select factors on the map, choose a question, then Show.")

    def save_view(self, name: str | None = None) -> bool:
        """Keep the question, its settings, the focus and the answer with the map."""
        document = self.editor.document
        if document is None:
            return False
        if name is None:
            name, ok = QInputDialog.getText(self, "Save view", "Name of this view:")
            if not ok or not name.strip():
                return False
        view = {
            "name": name.strip(),
            "question": self.question.currentData(),
            "focus": self.editor.selection_in_order(),
            "depth": self.depth.value(),
            "loop_length": self.loop_length.value(),
            "metric": self.metric_choice.currentData(),
            "direction": self.direction.currentData(),
            "function": self.function.currentData(),
            "answer": sorted(self._answer),
            "summary": self.summary.text(),
        }
        attributes = dict(document.info.attributes)
        views = [v for v in attributes.get("views", []) if v.get("name") != view["name"]]
        attributes["views"] = [*views, view]
        result = getattr(self, "_last_scenario", None)
        if view["question"] == "whatif" and result is not None:
            scenarios = [
                s for s in attributes.get("scenarios", []) if s.get("name") != view["name"]
            ]
            attributes["scenarios"] = [
                *scenarios,
                {
                    "name": view["name"],
                    "spec": result.spec.to_dict(),
                    "result": {
                        f: dataclasses.asdict(c)
                        for f, c in result.factors.items()
                        if c.direction != "no change"
                    },
                },
            ]
        command = EditMap({"attributes": attributes})
        command = named(command, f"Save view {view['name']!r}")
        return self.editor.run(command)

    # -- showing ----------------------------------------------------------------------------

    def _list(self, lines) -> None:
        for line in lines:
            self.results.addItem(line)

    def _highlight(self, factors: set[str], links: set[str]) -> None:
        document = self.editor.document
        assert document is not None
        self._answer = set(factors)
        everything = set(document.factors) | set(document.links)
        self.scene.set_faded(everything - set(factors) - set(links))

    def _result_chosen(self, row: int) -> None:
        if 0 <= row < len(self._loops):
            loop = self._loops[row]
            self._highlight(set(loop.factors), set(loop.links))

    def _size_by(self, values: dict[str, float]) -> None:
        low, high = min(values.values(), default=0.0), max(values.values(), default=0.0)
        span = (high - low) or 1.0
        for factor_id, item in self.scene.factor_items.items():
            item.set_emphasis(0.75 + 1.0 * (values.get(factor_id, low) - low) / span)
        self.sizing_changed.emit(True)

    def _reset_sizes(self) -> None:
        for item in self.scene.factor_items.values():
            item.set_emphasis(1.0)
        self.sizing_changed.emit(False)


def _names(ids: list[str], label: dict[str, str]) -> str:
    names = [f"“{label[f]}”" for f in ids[:3]]
    return ", ".join(names) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")
