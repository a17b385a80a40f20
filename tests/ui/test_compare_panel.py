"""Comparison in the window (overlay, table, review), snapshots read-only, combining maps."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QLabel, QPushButton

from ipsmap.model.commands import AddFactor, DeleteFactors, EditFactor
from ipsmap.model.snapshots import take_snapshot
from ipsmap.ui.canvas.compare_overlay import ADDED, CHANGED, GhostFactorItem


def db_counts(path) -> tuple[int, int, int]:
    with sqlite3.connect(path) as conn:
        return tuple(
            conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("factors", "links", "events")
        )


def edited_after_snapshot(window):
    """Snapshot the Glasgow map, then add one factor, rename one and delete one."""
    project, doc = window.project, window.document
    snapshot = take_snapshot(project, doc.id, "AP1")
    renamed, deleted = list(doc.factors)[:2]
    deleted_label = doc.factors[deleted].label
    add = AddFactor("Cost of living crisis", 50, 50)
    doc.execute(add)
    doc.execute(EditFactor(renamed, {"label": "Money worries"}))
    doc.execute(DeleteFactors([deleted]))
    return snapshot, add.id, renamed, deleted, deleted_label


def test_compare_live_map_with_its_snapshot(window, qtbot):
    snapshot, added, renamed, deleted, deleted_label = edited_after_snapshot(window)
    doc = window.document
    before_db = db_counts(window.project.path)
    window.comparing.compare_with(("snapshot", snapshot.id))
    panel = window.compare_panel
    overlay = panel.overlay
    scene = window.scene
    assert window.docks["compare"].isVisible()
    assert overlay.status[added] == "added"
    assert overlay.status[renamed] == "changed"
    # Halos: green around the new factor, amber around the renamed one.
    assert overlay.halos[added].pen().color().rgb() == ADDED.rgb()
    assert overlay.halos[renamed].pen().color().rgb() == CHANGED.rgb()
    # A factor's ring goes where the factor goes while it is dragged (before any commit).
    item = scene.factor_items[added]
    ring = overlay.halos[added]
    assert item.sceneBoundingRect().center() == ring.sceneBoundingRect().center()
    item.setPos(item.pos() + QPointF(120, 40))
    assert item.sceneBoundingRect().center() == ring.sceneBoundingRect().center()
    item.setPos(item.pos() - QPointF(120, 40))
    # The deleted factor is a ghost where it was; its links are ghost links.
    ghost = overlay.ghosts[deleted]
    assert isinstance(ghost, GhostFactorItem) and ghost.scene() is scene
    assert ghost.label == deleted_label
    before = window.project.document(doc.id)  # same object: the live map
    assert before is doc
    assert overlay.ghost_links, "the deleted factor's links are drawn as removed"
    # Everything else is faded.
    unchanged = next(f for f in doc.factors if f not in (added, renamed))
    assert unchanged in scene.theme.faded and added not in scene.theme.faded
    # The table: one row per difference, the rename as a label field row.
    rows = panel.model.rows
    assert ("factor", "added", "Cost of living crisis") in [
        (r.kind, r.change, r.name) for r in rows
    ]
    rename = next(r for r in rows if r.b_id == renamed and r.field == "label")
    assert rename.after == "Money worries"
    assert any(r.change == "removed" and r.a_id == deleted for r in rows)
    assert panel.model.rowCount() == len(rows)
    # Clicking a row selects the item on the canvas.
    row = next(i for i, r in enumerate(rows) if r.b_id == added)
    panel.table.selectRow(row)
    assert scene.selected_factor_ids() == [added]
    removed_row = next(i for i, r in enumerate(rows) if r.a_id == deleted and r.kind == "factor")
    panel.table.selectRow(removed_row)
    assert ghost.isSelected()
    # The overlay wrote nothing.
    assert db_counts(window.project.path) == before_db
    # Editing the live map keeps the comparison current.
    doc.execute(AddFactor("Another new one"))
    assert "added" in [
        overlay.status[f] for f in doc.factors if doc.factors[f].label == "Another new one"
    ]
    # Esc (or Stop comparing) takes it all away.
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    assert panel.comparison is None
    assert not any(isinstance(i, GhostFactorItem) for i in scene.items())
    assert not scene.theme.faded
    assert not window.docks["compare"].isVisible()


def test_compare_two_sites_reviews_label_matches(window):
    glasgow, lambeth = window.project.maps()[0], window.project.maps()[1]
    doc = window.project.document(glasgow.id)
    # Make a near match: Glasgow's "Practitioner workload" vs Lambeth's "Staff turnover" won't,
    # so rename one Lambeth-only factor to a near spelling of a Glasgow-only one.
    lambeth_doc = window.project.document(lambeth.id)
    staff = next(f for f, x in lambeth_doc.factors.items() if x.label == "Staff turnover")
    lambeth_doc.execute(EditFactor(staff, {"label": "Practitioner workloads"}))
    window.show_map(lambeth.id)
    window.comparing.compare_with(("map", glasgow.id))
    panel = window.compare_panel
    result = panel.comparison.result
    assert result["matched_by"] == "label"
    proposal = next(p for p in result["proposed_matches"] if p["b_id"] == staff)
    assert proposal["decision"] == "proposed" and not proposal["matched"]
    assert panel.overlay.status[staff] == "added"
    assert panel.review.count() == len(result["proposed_matches"])
    item = next(
        panel.review.item(i)
        for i in range(panel.review.count())
        if panel.review.item(i).data(Qt.ItemDataRole.UserRole)[1] == staff
    )
    item.setCheckState(Qt.CheckState.Checked)  # accept: compared again
    assert panel.overlay.status[staff] == "changed"
    assert (proposal["a_id"], staff) in panel.comparison.accepted
    item = next(
        panel.review.item(i)
        for i in range(panel.review.count())
        if panel.review.item(i).data(Qt.ItemDataRole.UserRole)[1] == staff
    )
    item.setCheckState(Qt.CheckState.Unchecked)
    assert panel.overlay.status[staff] == "added"
    # Ghosts for Glasgow-only factors are placed on this canvas, not at Glasgow's positions.
    assert panel.overlay.ghosts
    assert doc is not window.document


def test_open_snapshot_read_only_refuses_edits(window, qtbot):
    project, live = window.project, window.document
    snapshot = take_snapshot(project, live.id, "AP1")
    live.execute(AddFactor("Added after the snapshot"))
    before_db = db_counts(project.path)
    window.snapshots.open(snapshot.id)
    frozen = window.document
    assert frozen is not live
    assert len(frozen.factors) == len(live.factors) - 1
    banner = window.findChild(QLabel, "snapshot-banner-text")
    assert "AP1" in banner.text() and "read-only" in banner.text()
    assert banner.parentWidget().isVisible()
    assert "read-only" in window.windowTitle()
    assert not window.actions_by_name["add-factor"].isEnabled()
    assert not window.actions_by_name["delete-map"].isEnabled()
    # Every edit path is refused: the editor, a drag, the data table.
    factor_id = next(iter(frozen.factors))
    window.editor.set_label(factor_id, "Changed in a snapshot?")
    window.editor.add_factor(QPointF(0, 0), "New in a snapshot?")
    window.editor.select([factor_id])
    window.editor.delete_selection()
    window.editor.move({factor_id: (999.0, 999.0)})
    item = window.scene.factor_items[factor_id]
    assert not item.flags() & item.GraphicsItemFlag.ItemIsMovable
    assert frozen.factors[factor_id].label != "Changed in a snapshot?"
    assert len(frozen.factors) == len(live.factors) - 1
    assert db_counts(project.path) == before_db
    assert "read-only" in window.statusBar().currentMessage()
    # Export writes the snapshot, not the live map.
    path = project.path.parent / "snapshot.json"
    assert window.files.export_map(path) == path
    assert "Added after the snapshot" not in path.read_text()
    assert snapshot.sha256 in path.read_text()
    # Back to the live map.
    window.findChild(QPushButton, "snapshot-banner-back").click()
    assert window.document is live
    assert not banner.parentWidget().isVisible()
    assert window.actions_by_name["add-factor"].isEnabled()


def test_combine_maps_opens_the_new_map(window):
    project = window.project
    systems = [m.id for m in project.maps() if m.kind == "system"]
    before = len(project.maps())
    new_id = window.comparing.combine(systems, "Both sites") or window.document.id
    assert len(project.maps()) == before + 1
    assert window.document.id == new_id
    assert window.document.info.name == "Both sites"
    counts = [f.attributes["maps_count"] for f in window.document.factors.values()]
    assert max(counts) == 2 and min(counts) == 1


def test_combine_dialog_offers_similar_labels_to_tick(window, qtbot):
    from PySide6.QtCore import Qt

    from ipsmap.ui.evaluation.comparing import CombineDialog

    project = window.project
    systems = [m for m in project.maps() if m.kind == "system"]
    dialog = CombineDialog(window.project, window)
    qtbot.addWidget(dialog)
    for i in range(dialog.maps.count()):
        item = dialog.maps.item(i)
        if item.data(Qt.ItemDataRole.UserRole) in {m.id for m in systems}:
            item.setCheckState(Qt.CheckState.Checked)
    assert dialog.similar.count() >= 1, "Glasgow and Lambeth share near-identical labels"
    assert dialog.merges() == [], "nothing is merged unless ticked"
    first = dialog.similar.item(0)
    first.setCheckState(Qt.CheckState.Checked)
    assert dialog.merges() == [first.data(Qt.ItemDataRole.UserRole)]
