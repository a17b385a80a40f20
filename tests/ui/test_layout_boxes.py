"""The layout's Qt-free box estimate is never smaller than the box the canvas draws."""

from __future__ import annotations

from ipsmap.analysis.layout import box_size
from ipsmap.export.all_formats import read_maps
from ipsmap.model.entities import Style
from ipsmap.ui.canvas.items import CanvasTheme, FactorItem

LABELS = [
    "",
    "x",
    "GDP",
    "Economy",
    "employment",
    "land for solar available",
    "energy passengers transport consumption",
    "Exogenous RCP other GHG emissions (CH4, N2O, PFC, HFC, SF6)",
    "a" * 40,
    "Appreciate that\n- Their career and lives 'matter'\n- They have influence",
    "WWWWWWWW MMMMMMMM",
]


def drawn_box(theme: CanvasTheme, label: str, shape: str = "box") -> tuple[float, float]:
    item = FactorItem("f", theme)
    item.label = label
    item.style = Style(id="s", name="s", shape=shape)
    item.relayout()
    rect = item.outline_rect()
    return rect.width(), rect.height()


def assert_covers(labels: list[str]) -> None:
    theme = CanvasTheme()
    for label in labels:
        for shape in ("box", "ellipse"):
            width, height = drawn_box(theme, label, shape)
            est_w, est_h = box_size(label, shape)
            assert est_w >= width and est_h >= height, (label, shape, width, height)


def test_box_estimate_covers_the_drawn_box(qapp):
    assert_covers(LABELS)


def test_box_estimate_covers_every_label_of_the_shared_maps(qapp, shared_data):
    labels = set()
    for path in [*(shared_data / "maps").glob("*.*"), *(shared_data / "prsm").glob("*/*.prsm")]:
        if path.suffix != ".md":
            labels.update(f.label for data in read_maps(path) for f in data.factors)
    assert len(labels) > 100
    assert_covers(sorted(labels))
