"""Canvas benchmarks: open, edit, drag and fit on big maps, each beside a bare-Qt floor.

Run by hand (not in CI), offscreen:

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_canvas.py          # full sizes
    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_canvas.py --quick  # maps / 10
    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_canvas.py --profile drag

Every figure is measured beside a floor taken in the same run: a bare ``QGraphicsScene``
with one ``QGraphicsEllipseItem`` per factor and one ``QGraphicsLineItem`` per link (same
positions) shown in a plain ``QGraphicsView`` of the same size, doing the same work. The
ratio says how much the ipsmap canvas adds. See bench/README.md ("Canvas").
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import argparse
import cProfile
import dataclasses
import gc
import platform
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import Table, fresh_dir, percentile
from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QLineF,
    QObject,
    QPointF,
    QRectF,
    Qt,
    qInstallMessageHandler,
)
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsEllipseItem,
    QGraphicsLineItem,
    QGraphicsScene,
    QGraphicsView,
)
from synthetic import GRID_STEP, synthetic_map

from ipsmap.model.commands import AddFactor, AddLink
from ipsmap.model.document import MapDocument
from ipsmap.model.mapdata import MapData
from ipsmap.model.project import Project
from ipsmap.ui.canvas.map_editor import MapEditor
from ipsmap.ui.canvas.scene import MapScene
from ipsmap.ui.canvas.view import MapView
from ipsmap.ui.hallway import Hallway

# Targets (full sizes).
OPEN_TARGETS_S = {2000: 1.5, 5000: 4.0}
FRAME_S = 0.016
# Issue 12: a drag repaints each move (Qt's own update) with p95 under half a frame, and
# building the scene costs at most this many times its bare-scene floor.
DRAG_UPDATE_S = 0.008
BUILD_MAX_RATIO = 4.0
FIT_TARGET_S = 0.100

SPACING = 200.0  # grid spacing of the factors (synthetic.py uses 180 px; re-spaced here)
VIEW_SIZE = (1400, 900)
FLOOR_ELLIPSE = QRectF(-50, -22, 100, 44)  # about the size of a "Factor 1234" box
FIT_MARGIN = 40  # MapView._fit adds 40 scene px around the map; the floor does the same
HUB_LINKS = 20
PROJECT_NAME = "bench.ipsmap"

_APP: QApplication | None = None
# The figures whose ipsmap timings run under cProfile (--profile), one profiler each.
_PROFILERS: dict[str, cProfile.Profile] = {}


def app() -> QApplication:
    assert _APP is not None
    return _APP


# -- helpers ---------------------------------------------------------------------------


@contextmanager
def clock(out: list[float], tag: str | None = None) -> Iterator[None]:
    """Append the wall time of the block to ``out``; profile it if ``tag`` is profiled."""
    profiler = _PROFILERS.get(tag) if tag is not None else None
    if profiler is not None:
        profiler.enable()
    start = time.perf_counter()
    try:
        yield
    finally:
        out.append(time.perf_counter() - start)
        if profiler is not None:
            profiler.disable()


class PaintCounter(QObject):
    """Counts paint events of a viewport, to check that a timed block really painted."""

    def __init__(self, widget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def repaint(view: QGraphicsView) -> None:
    """What every timed block ends with: a forced synchronous paint of the whole viewport,
    then the event loop once (queued scene updates, their paint, anything else pending)."""
    view.viewport().repaint()
    app().processEvents()


def let_qt_update(view: QGraphicsView) -> None:
    """The event loop once: Qt repaints only what the change marked dirty (as on screen)."""
    app().processEvents()


def spaced_map(n_factors: int, seed: int = 0) -> MapData:
    """synthetic_map with its grid re-spaced from GRID_STEP to SPACING px."""
    data = synthetic_map(n_factors, seed=seed)
    k = SPACING / GRID_STEP
    data.factors = [dataclasses.replace(f, x=f.x * k, y=f.y * k) for f in data.factors]
    return data


def make_project(workdir: Path, n_factors: int) -> tuple[Path, str]:
    path = workdir / PROJECT_NAME
    with Project.create(path) as project:
        map_id = project.import_map(spaced_map(n_factors))
    return path, map_id


def dispose(*widgets) -> None:
    for widget in widgets:
        if widget is not None:
            widget.close()
            widget.deleteLater()
    app().processEvents()
    gc.collect()


@dataclass
class Layout:
    """Positions and link ends (as factor indexes) the floor is built from."""

    ids: list[str]
    positions: list[tuple[float, float]]
    links: list[tuple[int, int]]

    @classmethod
    def of(cls, doc: MapDocument) -> Layout:
        ids = list(doc.factors)
        index = {fid: i for i, fid in enumerate(ids)}
        positions = [(doc.factors[f].x, doc.factors[f].y) for f in ids]
        links = [(index[ln.source], index[ln.target]) for ln in doc.links.values()]
        return cls(ids, positions, links)


class Floor:
    """The bare scene: a plain ellipse per factor, a plain line per link, a plain view."""

    def __init__(self, layout: Layout, size: tuple[int, int] = VIEW_SIZE) -> None:
        self.scene = QGraphicsScene()
        self.ellipses: list[QGraphicsEllipseItem] = []
        self.lines: list[tuple[QGraphicsLineItem, int, int]] = []
        for x, y in layout.positions:
            self.add_ellipse(x, y)
        for s, t in layout.links:
            self.add_line(s, t)
        self.view = QGraphicsView(self.scene)
        self.view.resize(*size)
        self.counter = PaintCounter(self.view.viewport())

    def add_ellipse(self, x: float, y: float) -> QGraphicsEllipseItem:
        item = QGraphicsEllipseItem(FLOOR_ELLIPSE)
        item.setPos(x, y)
        self.scene.addItem(item)
        self.ellipses.append(item)
        return item

    def add_line(self, s: int, t: int) -> QGraphicsLineItem:
        item = QGraphicsLineItem(QLineF(self.ellipses[s].pos(), self.ellipses[t].pos()))
        self.scene.addItem(item)
        self.lines.append((item, s, t))
        return item

    def fit(self) -> None:
        rect = self.scene.itemsBoundingRect()
        m = FIT_MARGIN
        self.view.fitInView(rect.adjusted(-m, -m, m, m), Qt.AspectRatioMode.KeepAspectRatio)

    def show(self) -> None:
        self.view.show()
        self.fit()
        repaint(self.view)
        assert self.counter.count > 0, "floor view was not painted"

    def close(self) -> None:
        dispose(self.view)


class Canvas:
    """The ipsmap canvas as the brief builds it: MapScene + MapView (+ MapEditor)."""

    def __init__(self, doc: MapDocument, size: tuple[int, int] = VIEW_SIZE) -> None:
        self.doc = doc
        # As the window wires it: the scene draws what the hallway shows.
        self.hallway = Hallway()
        self.scene = MapScene(self.hallway)
        self.hallway.show(doc)
        self.view = MapView(self.scene)
        self.view.resize(*size)
        self.counter = PaintCounter(self.view.viewport())
        self.editor = MapEditor(self.hallway, self.scene, self.view)

    def show(self) -> None:
        self.view.show()
        self.view.fit_map()
        repaint(self.view)
        assert self.counter.count > 0, "map view was not painted"

    def close(self) -> None:
        self.hallway.show(None)
        dispose(self.view)


def centre_of(layout: Layout) -> QPointF:
    xs = [p[0] for p in layout.positions]
    ys = [p[1] for p in layout.positions]
    return QPointF((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)


def zoom_100(view: QGraphicsView, at: QPointF) -> None:
    view.resetTransform()
    view.centerOn(at)


# -- 1. open to first complete paint ---------------------------------------------------------


@dataclass
class OpenTimes:
    total: list[float] = dataclasses.field(default_factory=list)
    load: list[float] = dataclasses.field(default_factory=list)  # project.document (ipsmap)
    build: list[float] = dataclasses.field(default_factory=list)  # scene and its items
    paint: list[float] = dataclasses.field(default_factory=list)  # view, show, fit, paint


def time_open(path: Path, map_id: str, times: OpenTimes, tag: str) -> Layout:
    """From "the project is open" to "the view has painted the whole map once"."""
    project = Project.open(path)
    try:
        gc.collect()
        start = time.perf_counter()
        with clock(times.load, tag):
            doc = project.document(map_id)
        with clock(times.build, tag):
            scene = MapScene()
            scene.set_document(doc)
        with clock(times.paint, tag):
            view = MapView(scene)
            view.resize(*VIEW_SIZE)
            counter = PaintCounter(view.viewport())
            view.show()
            view.fit_map()
            repaint(view)
        times.total.append(time.perf_counter() - start)
        # Offscreen, repaint() before the first expose does nothing; the expose that
        # processEvents() delivers paints. Either way exactly one full paint is timed.
        assert counter.count >= 1, "map view was not painted"
        assert len(scene.factor_items) == len(doc.factors)
        layout = Layout.of(doc)
        scene.set_document(None)
        dispose(view)
    finally:
        project.close()
    return layout


def floor_open(layout: Layout, times: OpenTimes) -> None:
    gc.collect()
    start = time.perf_counter()
    with clock(times.build):
        scene = QGraphicsScene()
        ellipses = []
        for x, y in layout.positions:
            item = QGraphicsEllipseItem(FLOOR_ELLIPSE)
            item.setPos(x, y)
            scene.addItem(item)
            ellipses.append(item)
        for s, t in layout.links:
            scene.addItem(QGraphicsLineItem(QLineF(ellipses[s].pos(), ellipses[t].pos())))
    with clock(times.paint):
        view = QGraphicsView(scene)
        view.resize(*VIEW_SIZE)
        counter = PaintCounter(view.viewport())
        view.show()
        rect = scene.itemsBoundingRect().adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)
        view.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        repaint(view)
    times.total.append(time.perf_counter() - start)
    assert counter.count >= 1
    dispose(view)


def bench_open(n_factors: int, repeats: int, tag: str) -> tuple[OpenTimes, OpenTimes]:
    ipsmap, floor = OpenTimes(), OpenTimes()
    with fresh_dir() as workdir:
        path, map_id = make_project(workdir, n_factors)
        for _ in range(repeats):
            layout = time_open(path, map_id, ipsmap, tag)
            floor_open(layout, floor)
    return ipsmap, floor


def bench_window_open(n_factors: int, repeats: int) -> tuple[list[float], list[float]]:
    """MainWindow(project) with all its panels, shown, fitted and painted once; the same
    for a window on an empty map (what the window costs by itself)."""
    from ipsmap.model.project_commands import AddMap
    from ipsmap.ui.main_window import MainWindow

    full: list[float] = []
    empty: list[float] = []
    for n, out in ((n_factors, full), (0, empty)):
        with fresh_dir() as workdir:
            if n:
                path, _ = make_project(workdir, n)
            else:
                path = workdir / PROJECT_NAME
                with Project.create(path) as project:
                    project.execute(AddMap("Empty", "system", ""))
            for _ in range(repeats):
                project = Project.open(path)
                gc.collect()
                with clock(out, "window" if n else None):
                    window = MainWindow(project)
                    counter = PaintCounter(window.view.viewport())
                    window.show()
                    app().processEvents()  # expose; runs the window's own deferred fit
                    window.view.fit_map()
                    repaint(window.view)
                assert counter.count >= 1
                dispose(window)  # closeEvent closes the project
    return full, empty


# -- 2-4. edits, drag, fit on a 2,000-factor map ------------------------------------------------


@dataclass
class EditPlan:
    """The same additions for ipsmap and the floor, chosen before anything is timed."""

    factors: list[tuple[float, float]]
    links: list[tuple[int, int]]


def plan_edits(layout: Layout, grid: int, n: int, seed: int) -> EditPlan:
    """``grid``: how many factors (the first ones) are the generator's grid."""
    rng = random.Random(seed)
    count = grid
    columns = max(1, round(max(p[0] for p in layout.positions[:grid]) / SPACING) + 1)
    rows = (count + columns - 1) // columns
    # New factors sit between four grid factors, somewhere on the map.
    factors = [
        ((rng.randrange(columns - 1) + 0.5) * SPACING, (rng.randrange(rows - 1) + 0.5) * SPACING)
        for _ in range(n)
    ]
    links: list[tuple[int, int]] = []
    taken = {(s, t) for s, t in layout.links}
    while len(links) < n:
        s = rng.randrange(count)
        t = s + rng.choice((1, -1, columns, -columns, columns + 1, columns - 1))
        if 0 <= t < count and (s, t) not in taken and (t, s) not in taken:
            taken.add((s, t))
            links.append((s, t))
    return EditPlan(factors, links)


def make_hub(doc: MapDocument, layout: Layout) -> tuple[str, int]:
    """Give the factor nearest the middle of the map exactly HUB_LINKS links (untimed)."""
    centre = centre_of(layout)
    hub = min(
        range(len(layout.ids)),
        key=lambda i: (
            (layout.positions[i][0] - centre.x()) ** 2 + (layout.positions[i][1] - centre.y()) ** 2
        ),
    )
    hub_id = layout.ids[hub]
    hx, hy = layout.positions[hub]
    by_distance = sorted(
        (i for i in range(len(layout.ids)) if i != hub),
        key=lambda i: (layout.positions[i][0] - hx) ** 2 + (layout.positions[i][1] - hy) ** 2,
    )

    def degree() -> int:
        return sum(1 for ln in doc.links.values() if hub_id in (ln.source, ln.target))

    out = True
    for other in by_distance:
        if degree() >= HUB_LINKS:
            break
        other_id = layout.ids[other]
        if doc.state.link_between(hub_id, other_id) or doc.state.link_between(other_id, hub_id):
            continue
        source, target = (hub_id, other_id) if out else (other_id, hub_id)
        doc.execute(AddLink(source, target, "+"))
        out = not out
    assert degree() == HUB_LINKS, degree()
    return hub_id, hub


def variant_tag(prefix: str, variant: str) -> str:
    """Profile tag template: "fit" -> "{prefix}{}", "fit-qt" -> "{prefix}{}-qt", "100" -> ..."""
    suffix = {"fit": "", "fit-qt": "-qt", "100": "-100"}[variant]
    return prefix + "{}" + suffix


@dataclass
class Series:
    """Per-run times of one figure and of its floor."""

    ipsmap: list[float] = dataclasses.field(default_factory=list)
    floor: list[float] = dataclasses.field(default_factory=list)


def run_adds(
    editor: MapEditor,
    view: QGraphicsView,
    counter: PaintCounter,
    floor: Floor,
    plan: EditPlan,
    layout: Layout,
    settle: Callable[[QGraphicsView], None],
    zoom_in: bool,
    tag: str,
) -> tuple[Series, Series]:
    """AddFactor then AddLink runs (each beside the floor's own addition), interleaved."""
    adds, links = Series(), Series()
    for x, y in plan.factors:
        if zoom_in:
            for v in (view, floor.view):
                zoom_100(v, QPointF(x, y))
                repaint(v)
        before = counter.count
        with clock(adds.ipsmap, tag.format("add-factor")):
            assert editor.run(AddFactor("New factor", x, y))
            settle(view)
        assert counter.count > before, "the add was not painted"
        before = floor.counter.count
        with clock(adds.floor):
            floor.add_ellipse(x, y)
            settle(floor.view)
        assert floor.counter.count > before
    for s, t in plan.links:
        if zoom_in:
            mid = QPointF(*layout.positions[s])
            for v in (view, floor.view):
                zoom_100(v, mid)
                repaint(v)
        before = counter.count
        with clock(links.ipsmap, tag.format("add-link")):
            assert editor.run(AddLink(layout.ids[s], layout.ids[t], "+"))
            settle(view)
        assert counter.count > before, "the link was not painted"
        before = floor.counter.count
        with clock(links.floor):
            floor.add_line(s, t)
            settle(floor.view)
        assert floor.counter.count > before
    return adds, links


def run_drag(
    canvas: Canvas,
    floor: Floor,
    hub_id: str,
    hub: int,
    steps: int,
    drags: int,
    settle: Callable[[QGraphicsView], None],
    tag: str | None,
) -> Series:
    """Move the hub factor in small steps as a mouse drag does; links follow."""
    series = Series()
    item = canvas.scene.factor_items[hub_id]
    assert len(item.links) == HUB_LINKS, len(item.links)
    start = item.pos()
    moved = {hub_id}
    ellipse = floor.ellipses[hub]
    hub_lines = [(line, s, t) for line, s, t in floor.lines if hub in (s, t)]
    assert len(hub_lines) == HUB_LINKS, len(hub_lines)
    for _ in range(drags):
        for k in range(1, steps + 1):
            p = start + QPointF(4.0 * k, 3.0 * k)
            with clock(series.ipsmap, tag):
                # What MapView.mouseMoveEvent does per move: Qt moves the item, then its
                # links and group outlines follow (there is no itemChange doing it).
                item.setPos(p)
                item.moved()
                canvas.scene.refresh_groups_for(moved)
                settle(canvas.view)
            with clock(series.floor):
                ellipse.setPos(p)
                for line, s, t in hub_lines:
                    a = p if s == hub else floor.ellipses[s].pos()
                    b = p if t == hub else floor.ellipses[t].pos()
                    line.setLine(QLineF(a, b))
                settle(floor.view)
        item.setPos(start)
        item.moved()
        ellipse.setPos(start)
        for line, s, t in hub_lines:
            line.setLine(QLineF(floor.ellipses[s].pos(), floor.ellipses[t].pos()))
        repaint(canvas.view)
        repaint(floor.view)
    return series


def run_fit(
    canvas: Canvas,
    floor: Floor,
    at: QPointF,
    repeats: int,
    settle: Callable[[QGraphicsView], None],
    tag: str,
) -> Series:
    """Fit to map from 100% zoom around ``at`` (the zoomed-in state painted, untimed)."""
    series = Series()
    for _ in range(repeats):
        for v in (canvas.view, floor.view):
            zoom_100(v, at)
            repaint(v)
        before = canvas.counter.count
        with clock(series.ipsmap, tag):
            canvas.view.fit_map()
            settle(canvas.view)
        assert canvas.counter.count > before, "the fit was not painted"
        before = floor.counter.count
        with clock(series.floor):
            floor.fit()
            settle(floor.view)
        assert floor.counter.count > before
    return series


def run_full_repaints(canvas: Canvas, floor: Floor, repeats: int) -> tuple[Series, list[float]]:
    """Repaint of the unchanged, fitted map: ipsmap, floor, floor with antialiasing."""
    series = Series()
    aa: list[float] = []
    for _ in range(repeats):
        with clock(series.ipsmap, "repaint"):
            repaint(canvas.view)
        with clock(series.floor):
            repaint(floor.view)
    floor.view.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    for _ in range(repeats):
        with clock(aa):
            repaint(floor.view)
    floor.view.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    repaint(floor.view)
    return series, aa


@dataclass
class CanvasResults:
    adds: dict[str, Series]
    links: dict[str, Series]
    drag: dict[str, Series]
    fit: dict[str, Series]
    full: Series
    full_aa: list[float]
    hub_label: str


def bench_canvas(n_factors: int, n_edits: int, steps: int, drags: int, fits: int) -> CanvasResults:
    adds: dict[str, Series] = {}
    links: dict[str, Series] = {}
    drag: dict[str, Series] = {}
    with fresh_dir() as workdir:
        path, map_id = make_project(workdir, n_factors)
        with Project.open(path) as project:
            doc = project.document(map_id)
            layout = Layout.of(doc)
            hub_id, hub = make_hub(doc, layout)
            layout = Layout.of(doc)  # with the hub's new links
            canvas = Canvas(doc)
            floor = Floor(layout)
            canvas.show()
            floor.show()
            hub_at = QPointF(*layout.positions[hub])

            full, full_aa = run_full_repaints(canvas, floor, 5)
            # Dragging: at the zoom the map opens with, then at 100% around the hub.
            drag["fit"] = run_drag(canvas, floor, hub_id, hub, steps, drags, repaint, "drag")
            drag["fit-qt"] = run_drag(
                canvas, floor, hub_id, hub, steps, drags, let_qt_update, "drag-qt"
            )
            for v in (canvas.view, floor.view):
                zoom_100(v, hub_at)
                repaint(v)
            drag["100"] = run_drag(canvas, floor, hub_id, hub, steps, drags, repaint, "drag-100")
            fit = {
                "fit": run_fit(canvas, floor, centre_of(layout), fits, repaint, "fit"),
                "fit-qt": run_fit(canvas, floor, centre_of(layout), fits, let_qt_update, "fit-qt"),
            }

            # Additions (each variant with its own plan; the map grows by 2 * n_edits per
            # variant, under 10% in all).
            variants = (
                ("fit", repaint, False),
                ("fit-qt", let_qt_update, False),
                ("100", repaint, True),
            )
            for seed, (name, settle, zoom_in) in enumerate(variants):
                canvas.view.fit_map()
                floor.fit()
                repaint(canvas.view)
                repaint(floor.view)
                plan = plan_edits(layout, n_factors, n_edits, seed)
                tag = variant_tag("", name)
                adds[name], links[name] = run_adds(
                    canvas.editor,
                    canvas.view,
                    canvas.counter,
                    floor,
                    plan,
                    layout,
                    settle,
                    zoom_in,
                    tag,
                )
                layout = Layout.of(doc)
            hub_label = doc.factors[hub_id].label
            canvas.close()
            floor.close()
    return CanvasResults(adds, links, drag, fit, full, full_aa, hub_label)


def bench_window_edits(n_factors: int, n_edits: int) -> tuple[dict, dict, tuple[int, int]]:
    """Adds through the full MainWindow (data view, inspector, legend, minimap, history)."""
    from ipsmap.ui.main_window import MainWindow

    adds: dict[str, Series] = {}
    links: dict[str, Series] = {}
    with fresh_dir() as workdir:
        path, map_id = make_project(workdir, n_factors)
        project = Project.open(path)
        window = MainWindow(project)
        counter = PaintCounter(window.view.viewport())
        window.show()
        app().processEvents()
        window.view.fit_map()
        repaint(window.view)
        doc = window.document
        assert doc is not None and doc.id == map_id
        layout = Layout.of(doc)
        vp = window.view.size()
        size = (vp.width(), vp.height())
        floor = Floor(layout, size)
        floor.show()
        for seed, (name, settle) in enumerate((("fit", repaint), ("fit-qt", let_qt_update))):
            window.view.fit_map()
            repaint(window.view)
            plan = plan_edits(layout, n_factors, n_edits, 100 + seed)
            tag = variant_tag("window-", name)
            adds[name], links[name] = run_adds(
                window.editor, window.view, counter, floor, plan, layout, settle, False, tag
            )
            layout = Layout.of(doc)
        floor.close()
        dispose(window)
    return adds, links, size


# -- report ---------------------------------------------------------------------------------


def add_pair(table: Table, label: str, series: Series, target: float | None) -> None:
    table.add(
        f"{label}, median", statistics.median(series.ipsmap), statistics.median(series.floor), None
    )
    table.add(
        f"{label}, p95",
        percentile(series.ipsmap, 95),
        percentile(series.floor, 95),
        target,
    )


def run(quick: bool) -> None:
    scale = 10 if quick else 1
    small, large = 2000 // scale, 5000 // scale
    repeats = 3
    n_edits = 10 if quick else 50
    steps, drags = 30, 1 if quick else 3
    fits = 5 if quick else 10

    print(
        f"ipsmap canvas benchmark{' (QUICK: maps / 10, targets not meaningful)' if quick else ''}"
    )
    print(
        f"python {platform.python_version()}, PySide6 {PYSIDE_VERSION}, "
        f"Qt platform {app().platformName()}, {os.cpu_count()} cpus, "
        f"view {VIEW_SIZE[0]}x{VIEW_SIZE[1]}, grid {SPACING:.0f} px"
    )

    load_before = os.getloadavg()[0]
    open_small = bench_open(small, repeats, "open")
    open_large = bench_open(large, repeats, "open-large")
    window_open, window_empty = bench_window_open(small, repeats)
    canvas = bench_canvas(small, n_edits, steps, drags, fits)
    window_adds, window_links, window_size = bench_window_edits(small, n_edits)

    table = Table()
    for n, (ips, flo) in ((small, open_small), (large, open_large)):
        target = OPEN_TARGETS_S.get(n * scale)
        label = f"open {n:,} / {3 * n:,} to first full paint"
        table.add(f"{label}, best of {repeats}", min(ips.total), min(flo.total), target)
        table.add(
            f"{label}, median", statistics.median(ips.total), statistics.median(flo.total), target
        )
        table.add("  of which document load, median", statistics.median(ips.load), None, None)
        floor_build = statistics.median(flo.build)
        table.add(
            f"  of which scene build, median (target {BUILD_MAX_RATIO:.0f}x floor)",
            statistics.median(ips.build),
            floor_build,
            BUILD_MAX_RATIO * floor_build,
        )
        table.add(
            "  of which view, show, fit, paint, median",
            statistics.median(ips.paint),
            statistics.median(flo.paint),
            None,
        )
    table.add(
        f"MainWindow open on {small:,} / {3 * small:,} (info), median",
        statistics.median(window_open),
        statistics.median(open_small[1].total),
        None,
    )
    n_runs = n_edits
    add_pair(table, f"add factor + repaint, canvas (n={n_runs})", canvas.adds["fit"], FRAME_S)
    add_pair(table, f"add link + repaint, canvas (n={n_runs})", canvas.links["fit"], FRAME_S)
    add_pair(table, f"add factor + repaint, MainWindow (n={n_runs})", window_adds["fit"], FRAME_S)
    add_pair(table, f"add link + repaint, MainWindow (n={n_runs})", window_links["fit"], FRAME_S)
    moves = steps * drags
    add_pair(
        table, f"drag a {HUB_LINKS}-link factor, per move (n={moves})", canvas.drag["fit"], FRAME_S
    )
    fit = canvas.fit["fit"]
    table.add(
        f"fit to map + repaint from 100% (n={fits}), median",
        statistics.median(fit.ipsmap),
        statistics.median(fit.floor),
        FIT_TARGET_S,
    )
    table.add(
        f"fit to map + repaint from 100% (n={fits}), p95",
        percentile(fit.ipsmap, 95),
        percentile(fit.floor, 95),
        FIT_TARGET_S,
    )
    print()
    print(
        f"Edits, drag and fit on the {small:,} / {3 * small:,} map at the zoom it opens with "
        "(whole map in view); every timed block ends with viewport().repaint() + processEvents()."
    )
    table.print()

    print()
    print("Details (informational)")
    detail = Table()
    detail.add(
        f"repaint of the unchanged fitted map (n={len(canvas.full.ipsmap)}), median",
        statistics.median(canvas.full.ipsmap),
        statistics.median(canvas.full.floor),
        FRAME_S,
    )
    detail.add(
        "  the same, floor view with antialiasing on, median",
        statistics.median(canvas.full.ipsmap),
        statistics.median(canvas.full_aa),
        FRAME_S,
    )
    detail.add(
        f"MainWindow open on an empty map (n={repeats}), median",
        statistics.median(window_empty),
        None,
        None,
    )
    q = "Qt's own update, no forced repaint"
    add_pair(detail, f"add factor, canvas, {q}", canvas.adds["fit-qt"], FRAME_S)
    add_pair(detail, f"add link, canvas, {q}", canvas.links["fit-qt"], FRAME_S)
    add_pair(detail, f"add factor, MainWindow, {q}", window_adds["fit-qt"], FRAME_S)
    add_pair(detail, f"add link, MainWindow, {q}", window_links["fit-qt"], FRAME_S)
    add_pair(detail, f"drag, per move, {q}", canvas.drag["fit-qt"], DRAG_UPDATE_S)
    add_pair(detail, f"fit to map from 100%, {q}", canvas.fit["fit-qt"], FIT_TARGET_S)
    z = "at 100% zoom, forced repaint"
    add_pair(detail, f"add factor, canvas, {z}", canvas.adds["100"], FRAME_S)
    add_pair(detail, f"add link, canvas, {z}", canvas.links["100"], FRAME_S)
    add_pair(detail, f"drag, per move, {z}", canvas.drag["100"], FRAME_S)
    detail.print()
    print(
        f"\nMainWindow canvas viewport {window_size[0]}x{window_size[1]} (its floor the same); "
        f"dragged factor: {canvas.hub_label!r}; 1-min load average {load_before:.2f} before, "
        f"{os.getloadavg()[0]:.2f} after"
    )


# -- profiling ------------------------------------------------------------------------------

# Figures --profile can show (ipsmap side only): suffix -qt = Qt's own update instead of
# a forced repaint, -100 = at 100% zoom instead of the opening (fitted) zoom.
PROFILE_CHOICES = (
    "open",
    "open-large",
    "window",
    "repaint",
    "fit",
    "fit-qt",
    *(
        f"{kind}{suffix}"
        for kind in ("drag", "add-factor", "add-link")
        for suffix in ("", "-qt", "-100")
    ),
    *(f"window-{kind}{suffix}" for kind in ("add-factor", "add-link") for suffix in ("", "-qt")),
)


def profile(which: list[str], quick: bool, top: int) -> None:
    """Run only the benchmarks that measure ``which`` and print a profile of each."""
    for name in which:
        _PROFILERS[name] = cProfile.Profile()
    scale = 10 if quick else 1
    small = 2000 // scale
    if "open" in which:
        bench_open(small, 3, "open")
    if "open-large" in which:
        bench_open(5000 // scale, 2, "open-large")
    if "window" in which:
        bench_window_open(small, 3)
    if any(name.startswith("window-") for name in which):
        bench_window_edits(small, 10 if quick else 50)
    canvas_figures = {"repaint", "fit", "fit-qt", "drag", "add-factor", "add-link"}
    if any(name.removesuffix("-qt").removesuffix("-100") in canvas_figures for name in which):
        bench_canvas(small, 10 if quick else 50, 30, 1 if quick else 3, 5 if quick else 10)
    for name in which:
        print(f"\n===== profile: {name} =====")
        stats = pstats.Stats(_PROFILERS[name])
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)


def _profile_names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in PROFILE_CHOICES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown figure(s) {unknown}; one of {PROFILE_CHOICES}")
    return names


def _quiet_offscreen(mode, context, message: str) -> None:
    # The offscreen plugin warns once per dock/toolbar layout; nothing to do with timing.
    if "does not support propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    global _APP
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shrink maps 10x (smoke run)")
    parser.add_argument(
        "--profile",
        type=_profile_names,
        metavar="FIGURE[,FIGURE...]",
        help="instead of the table, cProfile the ipsmap side of these figures and print the "
        f"top rows of each; figures: {', '.join(PROFILE_CHOICES)}",
    )
    parser.add_argument("--top", type=int, default=30, help="rows of profile output")
    args = parser.parse_args(argv)
    # Recent files and window geometry (MainWindow writes QSettings) go to a throwaway place.
    settings_dir = tempfile.TemporaryDirectory(prefix="ipsmap-bench-settings-")
    os.environ["XDG_CONFIG_HOME"] = settings_dir.name
    QCoreApplication.setOrganizationName("ipsmap-bench")
    QCoreApplication.setApplicationName("ipsmap-bench")
    existing = QApplication.instance()
    _APP = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    qInstallMessageHandler(_quiet_offscreen)
    try:
        if args.profile:
            profile(args.profile, args.quick, args.top)
        else:
            run(args.quick)
    finally:
        settings_dir.cleanup()


if __name__ == "__main__":
    main()
