"""The Analysis panel on the demo map: real questions, answers shown on the canvas."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ipsmap.analysis.graph import to_digraph
from ipsmap.analysis.submaps import downstream
from tests.ui.support import factor_named, select_factors


def choose(combo, key) -> None:
    combo.setCurrentIndex(combo.findData(key))


def test_what_does_this_affect_fades_everything_else(qtbot, window):
    doc = window.document
    poverty = factor_named(doc, "Household poverty")
    select_factors(window.scene, poverty)
    panel = window.analysis
    choose(panel.question, "affects")
    qtbot.mouseClick(panel.ask_button, Qt.MouseButton.LeftButton)
    expected = downstream(to_digraph(doc.state), [poverty])
    faded = window.scene.theme.faded
    assert not expected & faded
    assert set(doc.factors) - expected <= faded
    assert panel.results.count() == len(expected) - 1
    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    assert not window.scene.theme.faded


def test_loops_list_with_badges_and_click_highlights_one(qtbot, window):
    doc = window.document
    stress = factor_named(doc, "Parental stress")
    select_factors(window.scene, stress)
    panel = window.analysis
    choose(panel.question, "loops")
    qtbot.mouseClick(panel.ask_button, Qt.MouseButton.LeftButton)
    assert panel.results.count() > 0
    first = panel.results.item(0).text()
    assert first[:3] in ("[R]", "[B]", "[?]") and "Parental stress" in first
    panel.results.setCurrentRow(0)
    loop = panel._loops[0]
    assert not set(loop.factors) & window.scene.theme.faded
    assert len(window.scene.theme.faded) == len(doc.factors) + len(doc.links) - 2 * loop.length


def test_most_central_sizes_factors_by_the_metric(qtbot, window):
    panel = window.analysis
    choose(panel.question, "central")
    choose(panel.metric_choice, "betweenness")
    qtbot.mouseClick(panel.ask_button, Qt.MouseButton.LeftButton)
    scales = [item.scale() for item in window.scene.factor_items.values()]
    assert max(scales) > 1.5 and min(scales) < 1.0
    assert panel.results.count() == 20


def test_what_if_shows_relative_changes_and_can_be_saved(qtbot, window):
    doc = window.document
    support = factor_named(doc, "IPS team support")
    select_factors(window.scene, support)
    panel = window.analysis
    choose(panel.question, "whatif")
    qtbot.mouseClick(panel.ask_button, Qt.MouseButton.LeftButton)
    assert panel.chart.bars, "the chart shows the factors that change"
    assert "not predictions" in panel.summary.text()
    assert panel.save_view("More IPS support")
    views = doc.info.attributes["views"]
    assert views[-1]["name"] == "More IPS support" and views[-1]["focus"] == [support]
    assert doc.info.attributes["scenarios"][-1]["spec"]["clamps"]
    row = window.project.store.db.execute("SELECT attributes FROM maps WHERE id = ?", [doc.id])
    assert "More IPS support" in row.fetchone()[0]
    window.actions_by_name["undo"].trigger()
    assert "views" not in doc.info.attributes


def test_a_saved_view_can_be_shown_again(qtbot, window):
    doc = window.document
    poverty = factor_named(doc, "Household poverty")
    select_factors(window.scene, poverty)
    panel = window.analysis
    choose(panel.question, "influences")
    panel.depth.setValue(2)
    qtbot.mouseClick(panel.ask_button, Qt.MouseButton.LeftButton)
    answer = set(panel._answer)
    assert panel.save_view("What drives poverty")
    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    window.scene.clearSelection()
    choose(panel.question, "central")
    assert panel.saved.findData("What drives poverty") >= 0
    assert panel.apply_view("What drives poverty")
    assert panel.question.currentData() == "influences" and panel.depth.value() == 2
    assert panel._answer == answer
    assert window.scene.selected_factor_ids() == [poverty]


def test_big_maps_are_analysed_in_a_worker(qtbot, window, monkeypatch):
    import ipsmap.ui.panels.analysis_panel as panel_module

    monkeypatch.setattr(panel_module, "WORKER_THRESHOLD", 5)
    panel = window.analysis
    choose(panel.question, "loops")
    window.scene.clearSelection()
    qtbot.mouseClick(panel.ask_button, Qt.MouseButton.LeftButton)
    assert panel.summary.text() == "Finding feedback loops…"
    qtbot.waitUntil(lambda: panel.results.count() > 0, timeout=20_000)
    assert "loops up to 6 links" in panel.summary.text()
