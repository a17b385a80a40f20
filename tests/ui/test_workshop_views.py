"""The marks grid and ranking, the balance of voices panel, badges, themes, and the
participants and sessions panel, each following model changes."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSettings, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from ipsmap.model.commands import AddFactor
from ipsmap.model.project_commands import AddParticipant
from ipsmap.model.record_commands import MarkSpec, SetMarks
from ipsmap.ui.workshop.voices_panel import SCOPE_MAP, SCOPE_PROJECT


def _glasgow(window):
    return next(m.id for m in window.project.maps() if m.name.startswith("Glasgow"))


def _person(project, pseudonym):
    return next(p.id for p in project.participants.values() if p.pseudonym == pseudonym)


def _factor(window, label):
    return next(f.id for f in window.document.factors.values() if f.label == label)


def test_grid_follows_marks_and_undo(window, qtbot):
    window.show_map(_glasgow(window))
    window.actions_by_name["marks-grid"].trigger()
    panel = window.workshop.marks
    grid = panel.grid
    qtbot.waitExposed(grid)
    target = _factor(window, "Long travel to services")
    assert target not in grid.points
    assert len(grid.points) >= 10
    project = window.project
    project.execute(
        SetMarks(
            window.document.id,
            [
                MarkSpec(_person(project, "Eilidh"), target, "important"),
                MarkSpec(_person(project, "Eilidh"), target, "controllable"),
            ],
        )
    )
    assert target in grid.points
    centre, _radius, entry = grid.points[target]
    assert entry.total.important == 1
    # One in seven people marking: low on both axes, so in the bottom-left quadrant.
    rect = grid.plot_rect()
    assert centre.x() < rect.center().x() and centre.y() > rect.center().y()
    ranking_labels = [panel.ranking.item(r, 1).text() for r in range(panel.ranking.rowCount())]
    assert "Long travel to services" in ranking_labels
    window.undo.undo()
    assert target not in grid.points


def test_grid_filters_and_click_selects_on_canvas(window, qtbot):
    window.show_map(_glasgow(window))
    window.actions_by_name["marks-grid"].trigger()
    panel = window.workshop.marks
    qtbot.waitExposed(panel.grid)
    everyone = panel.summary.markers
    panel.group_filter.setCurrentIndex(panel.group_filter.findData("practitioner"))
    assert panel.summary.markers == 2 < everyone
    assert "practitioners" in panel.caption.text()
    fear = _factor(window, "Fear of child removal")
    # Practitioners did not mark it important: it drops out or sits at the bottom.
    assert fear not in panel.grid.points
    panel.set_filters(None, "Lambeth")
    assert panel.summary.markers == 0  # nobody from Lambeth marked the Glasgow map
    panel.set_filters()
    centre, _r, _e = panel.grid.points[fear]
    qtbot.mouseClick(panel.grid, Qt.MouseButton.LeftButton, pos=centre.toPoint())
    assert window.scene.selected_factor_ids() == [fear]
    # And from the keyboard: arrow keys walk the points, selecting each on the canvas.
    panel.grid.setFocus()
    qtbot.keyClick(panel.grid, Qt.Key.Key_Right)
    assert window.scene.selected_factor_ids() == [panel.grid.current]
    assert panel.grid.current != fear


def test_ranking_shows_disagreement(window, qtbot):
    window.show_map(_glasgow(window))
    window.actions_by_name["marks-grid"].trigger()
    ranking = window.workshop.marks.ranking
    rows = {ranking.item(r, 1).text(): r for r in range(ranking.rowCount())}
    fear = rows["Fear of child removal"]
    last = ranking.columnCount() - 1
    assert ranking.item(fear, last).text().startswith("Groups disagree")
    assert "Parent/carer 100% important" in ranking.item(fear, last).text()
    headers = [ranking.horizontalHeaderItem(c).text() for c in range(ranking.columnCount())]
    assert "Parent/carer: important" in headers and "Practitioner: important" in headers


def test_voices_panel_follows_the_model(window, qtbot):
    window.show_map(_glasgow(window))
    window.actions_by_name["balance-of-voices"].trigger()
    panel = window.workshop.voices
    qtbot.waitExposed(panel)
    assert panel.scope.currentData() == SCOPE_MAP
    assert "Community member" in panel.warnings.text()
    assert panel.single.count() > 0
    community = next(r for r in panel.result["groups"] if r["group"] == "community member")
    before = community["factors"]
    project = window.project
    project.set_actor(_person(project, "Tam"))
    window.document.execute(AddFactor("Community centre closing", x=0, y=0))
    community = next(r for r in panel.result["groups"] if r["group"] == "community member")
    assert community["factors"] == before + 1
    panel.set_scope(SCOPE_PROJECT)
    assert panel.result["scope"]["map"] is None
    session = next(iter(project.sessions))
    panel.set_scope(session)
    assert panel.result["scope"]["session"] == project.sessions[session].title
    assert panel.chart.rows


def test_badges_and_sizing_on_the_canvas(window, qtbot):
    window.show_map(_glasgow(window))
    fear = _factor(window, "Fear of child removal")
    assert not window.workshop.badges.badges
    window.actions_by_name["mark-badges"].setChecked(True)
    badge = window.workshop.badges.badges[fear]
    assert badge.text.startswith("★3") and "●●●●●" in badge.text
    assert badge.parentItem() is window.scene.factor_items[fear]
    window.actions_by_name["size-by-votes"].setChecked(True)
    assert window.scene.factor_items[fear].scale() > 1.5
    # A new mark redraws the badge; another map rebuilds them.
    project = window.project
    project.execute(
        SetMarks(window.document.id, [MarkSpec(_person(project, "Callum"), fear, "important")])
    )
    assert window.workshop.badges.badges[fear].text.startswith("★4")
    window.actions_by_name["mark-badges"].setChecked(False)
    window.actions_by_name["size-by-votes"].setChecked(False)
    assert not window.workshop.badges.badges
    assert window.scene.factor_items[fear].scale() == 1.0


def test_badge_text_follows_the_theme(window, qtbot):
    window.show_map(_glasgow(window))
    # Labels at the size chosen, not as fitting the map enlarged them.
    window.scene.set_label_size(window.label_size.value())
    fear = _factor(window, "Fear of child removal")
    window.actions_by_name["mark-badges"].setChecked(True)
    standard = window.workshop.badges.badges[fear]
    small = (standard.font.pointSizeF(), standard.boundingRect().height())
    assert not standard.high_contrast
    assert "people" in standard.toolTip() and "important" in standard.toolTip()
    window.actions_by_name["theme-large"].trigger()
    large = window.workshop.badges.badges[fear]
    assert large.font.pointSizeF() > small[0] and large.boundingRect().height() > small[1]
    window.actions_by_name["theme-contrast"].trigger()
    assert window.workshop.badges.badges[fear].high_contrast
    # Badges made after the change take the same look.
    window.actions_by_name["mark-badges"].setChecked(False)
    window.actions_by_name["mark-badges"].setChecked(True)
    again = window.workshop.badges.badges[fear]
    assert again.font.pointSizeF() == large.font.pointSizeF() and again.high_contrast
    window.actions_by_name["theme-standard"].trigger()
    assert window.workshop.badges.badges[fear].font.pointSizeF() == small[0]


def test_votes_sizing_and_analysis_sizing_take_turns(window, qtbot):
    window.show_map(_glasgow(window))
    panel, items = window.analysis, window.scene.factor_items
    panel.question.setCurrentIndex(panel.question.findData("central"))
    panel.metric_choice.setCurrentIndex(panel.metric_choice.findData("betweenness"))
    panel.ask()
    by_metric = {f: item.scale() for f, item in items.items()}
    assert max(by_metric.values()) > 1.5
    votes = window.actions_by_name["size-by-votes"]
    votes.setChecked(True)
    assert {f: item.scale() for f, item in items.items()} != by_metric
    assert "analysis" in window.statusBar().currentMessage()
    # Turning votes sizing off gives the analysis panel's sizes back, not all 1.0.
    votes.setChecked(False)
    assert {f: item.scale() for f, item in items.items()} == by_metric
    # Asking the analysis to size again while votes sizing is on turns votes sizing off.
    votes.setChecked(True)
    panel.ask()
    assert not votes.isChecked()
    assert {f: item.scale() for f, item in items.items()} == by_metric
    assert "Sizing by votes is off" in window.statusBar().currentMessage()
    # A question that does not size puts the usual sizes back; votes sizing then holds.
    votes.setChecked(True)
    panel.clear()
    fear = _factor(window, "Fear of child removal")
    assert items[fear].scale() > 1.5
    votes.setChecked(False)
    assert all(item.scale() == 1.0 for item in items.values())


def test_themes_apply_and_are_remembered(window, qtbot):
    app = QApplication.instance()
    assert window.actions_by_name["theme-standard"].isChecked()
    window.actions_by_name["theme-contrast"].trigger()
    assert window.actions_by_name["theme-contrast"].isChecked()
    assert not window.actions_by_name["theme-standard"].isChecked()
    assert window.actions_by_name["high-contrast"].isChecked()
    assert window.label_size.value() == 16
    assert "font-size: 15pt" in app.styleSheet()
    assert app.palette().color(QPalette.ColorRole.Window).name() == "#ffffff"
    assert app.palette().color(QPalette.ColorRole.WindowText).name() == "#000000"
    assert QSettings().value("ui/theme") == "contrast"
    window.actions_by_name["theme-large"].trigger()
    assert not window.actions_by_name["high-contrast"].isChecked()
    assert "font-size: 15pt" in app.styleSheet()
    window.actions_by_name["theme-standard"].trigger()
    assert app.styleSheet() == ""
    # Unticking the current theme goes back to the standard one (never none).
    window.actions_by_name["theme-large"].trigger()
    window.actions_by_name["theme-large"].trigger()
    assert window.actions_by_name["theme-standard"].isChecked()
    window.actions_by_name["theme-standard"].trigger()
    assert window.actions_by_name["theme-standard"].isChecked()
    assert window.label_size.value() == 10
    assert QSettings().value("ui/theme") == "standard"


def test_participants_panel_add_edit_and_undo(window, qtbot):
    window.actions_by_name["participants"].trigger()
    panel = window.workshop.participants
    project = window.project
    editor = panel.participant_editor()
    editor.show()
    qtbot.waitExposed(editor)
    qtbot.keyClicks(editor.pseudonym, "Morag")
    editor.group.setCurrentIndex(editor.group.findData("community member"))
    editor.site.setText("Glasgow")
    editor.notes.setPlainText("Runs the baby group at the church hall")
    ok = editor.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    morag = _person(project, "Morag")
    assert project.participants[morag].notes.startswith("Runs")
    names = [panel.people.item(r, 0).text() for r in range(panel.people.rowCount())]
    assert "Morag" in names
    # Withdrawing consent keeps only the group: the pseudonym and notes go.
    editor = panel.participant_editor(morag)
    editor.show()
    qtbot.waitExposed(editor)
    editor.consent.setFocus()
    qtbot.keyClick(editor.consent, Qt.Key.Key_Space)
    assert not editor.consent.isChecked()
    editor.save()
    person = project.participants[morag]
    assert person.pseudonym.startswith("Community member") and person.notes == ""
    row = next(
        r
        for r in range(panel.people.rowCount())
        if panel.people.item(r, 0).text() == person.pseudonym
    )
    assert panel.people.item(row, 3).text().startswith("No")
    window.undo.undo()
    assert project.participants[morag].pseudonym == "Morag"
    # A pseudonym is required: the dialog says so and stays open.
    editor = panel.participant_editor()
    editor.save()
    assert "pseudonym" in editor.error.text()


def test_sessions_added_edited_and_chosen(window, qtbot):
    panel = window.workshop.participants
    project = window.project
    dialog = panel.session_dialog()
    dialog.title.setText("Glasgow workshop 3: acting on it")
    dialog.site.setText("Glasgow")
    dialog.facilitator.setCurrentIndex(dialog.facilitator.findData(_person(project, "Duncan")))
    ticked = {"Eilidh", "Callum"}
    for i in range(dialog.attendees.count()):
        item = dialog.attendees.item(i)
        if item.text().split(" (")[0] in ticked:
            item.setCheckState(Qt.CheckState.Checked)
    dialog.save()
    session = next(s for s in project.sessions.values() if s.title.endswith("acting on it"))
    assert {project.participants[a].pseudonym for a in session.attendees} == ticked
    assert panel.sessions.rowCount() == 5
    combo = window.session_combo
    index = combo.findData(session.id)
    assert index > 0
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    assert project.session_id == session.id
    edit = panel.session_dialog(session.id)
    edit.title.setText("Glasgow workshop 3: what we will do")
    edit.save()
    assert project.sessions[session.id].title.endswith("what we will do")
    assert "what we will do" in combo.itemText(combo.findData(session.id))
    panel.sessions.selectRow(
        next(
            r
            for r in range(panel.sessions.rowCount())
            if panel.sessions.item(r, 0).data(Qt.ItemDataRole.UserRole) == session.id
        )
    )
    panel.delete_session()
    assert session.id not in project.sessions
    assert project.session_id is None and combo.currentIndex() == 0
    window.undo.undo()
    assert session.id in project.sessions


def test_new_participant_shows_up_in_marks_mode(window, qtbot):
    window.show_map(_glasgow(window))
    dialog = window.workshop.collect_marks()
    window.project.execute(AddParticipant("Agnes", "parent", "Glasgow"))
    person = dialog.who.person
    assert any(person.itemText(i).startswith("Agnes") for i in range(person.count()))


def test_voices_are_computed_only_while_their_tab_is_in_front(qtbot, window, monkeypatch):
    # balance_of_voices reads the whole audit log: not on every edit behind another tab.
    import ipsmap.analysis.voices as voices
    from ipsmap.model.commands import AddFactor

    calls: list[object] = []
    real = voices.balance_of_voices

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(voices, "balance_of_voices", counting)
    window.docks["inspector"].raise_()
    qtbot.wait(20)
    calls.clear()
    window.document.execute(AddFactor("Behind the tab", 5, 5))
    window.document.execute(AddFactor("Still behind", 9, 9))
    assert calls == []
    window.trigger("balance-of-voices")
    qtbot.waitUntil(lambda: len(calls) >= 1, timeout=2000)
    panel = window.workshop.voices
    assert panel.result is not None and panel.result["totals"]["factors"] >= 2


def test_the_grid_labels_cover_no_dot_no_caption_and_no_other_label(window, qtbot):
    window.show_map(_glasgow(window))
    window.actions_by_name["marks-grid"].trigger()
    grid = window.workshop.marks.grid
    qtbot.waitExposed(grid)
    grid.resize(900, 700)
    grid.repaint()
    assert len(grid.label_boxes) >= 5
    dots = {f: QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r) for f, (c, r, _e) in grid.points.items()}
    boxes = list(grid.label_boxes.items())
    for factor_id, box in boxes:
        assert grid.plot_rect().contains(box)  # clear of the axes and their titles
        assert not any(box.intersects(d) for f, d in dots.items() if f != factor_id)
        assert not any(box.intersects(other) for f, other in boxes if f != factor_id)
        assert not any(box.intersects(caption) for caption in grid.caption_boxes)
    assert len(grid.caption_boxes) == 4
