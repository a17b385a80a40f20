"""Pseudonyms, group labels and the personal-data check before export."""

from __future__ import annotations

import json

from ipsmap.export.all_formats import write_map
from ipsmap.model.commands import AddFactor, AddLink
from ipsmap.model.privacy import for_export, personal_data_check, public_name, public_names
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddParticipant
from ipsmap.model.record_commands import AddCMO
from tests.test_cli import ipsmap


def _people(project: Project) -> dict[str, str]:
    ids = {}
    for name, group, consent in (("Rowan", "parent", True), ("Kit", "practitioner", False)):
        command = AddParticipant(name, group, "Glasgow", consent, notes="rings on Tuesdays")
        project.execute(command)
        ids[name] = command.id
    return ids


def test_public_names(project: Project):
    ids = _people(project)
    rowan, kit = project.participants[ids["Rowan"]], project.participants[ids["Kit"]]
    assert public_name(rowan) == "Rowan"
    assert public_name(rowan, anonymise=True) == "Parent/carer"
    assert public_name(kit) == "Practitioner"
    people = [rowan, kit]
    assert public_names(people) == {rowan.id: "Rowan", kit.id: "Practitioner"}
    assert public_names(people, anonymise=True) == {
        rowan.id: "Parent/carer",
        kit.id: "Practitioner",
    }


def test_the_writers_that_look_people_up_use_the_one_rule(project: Project, doc):
    from ipsmap.formats.tables_writer import table_rows

    ids = _people(project)
    project.set_actor(ids["Kit"])
    doc.execute(AddFactor("Stress"))
    data = project.map_data(doc.id)
    factors, _ = table_rows(data)
    assert "Practitioner" in factors[1] and "Kit" not in factors[1]


def test_every_writer_gets_only_what_may_be_shown(project: Project, doc, tmp_path):
    ids = _people(project)
    project.set_actor(ids["Rowan"])
    a, b = AddFactor("Housing"), AddFactor("Stress")
    doc.execute(a)
    doc.execute(b)
    project.set_actor(ids["Kit"])
    doc.execute(AddLink(a.id, b.id))
    data = project.map_data(doc.id)
    shown = {p.pseudonym for p in for_export(data).participants}
    assert shown == {"Rowan", "Practitioner", "Facilitator"}
    assert all(p.notes == "" for p in for_export(data).participants)

    plain, hidden = tmp_path / "plain.json", tmp_path / "anon.json"
    write_map(data, plain, "json")
    write_map(data, hidden, "json", anonymise=True)
    assert "Rowan" in plain.read_text() and "Tuesdays" not in plain.read_text()
    text = hidden.read_text()
    assert "Rowan" not in text and "Kit" not in text
    people = {p["pseudonym"] for p in json.loads(text)["participants"]}
    assert people == {"Parent/carer", "Practitioner", "Facilitator"}


def test_personal_data_check_finds_names_and_contacts(project: Project, doc):
    _people(project)
    doc.execute(AddFactor("Mrs Smith's housing", notes="call 07700 900123"))
    doc.execute(AddFactor("Stress", notes="Rowan said so"))
    doc.execute(AddFactor("Isolation", notes="lives near G12 8QQ"))
    doc.execute(AddFactor("Debt", notes="Emma worries"))
    doc.execute(AddFactor("Trust", notes="nothing personal here"))
    project.execute(AddCMO({"context": "email me at a.b@example.org"}))
    findings = personal_data_check(project)
    reasons = {(f.where.split("factor ")[-1], f.field): f.reason for f in findings}
    assert reasons[('"Mrs Smith\'s housing"', "label")] == "a title followed by a name"
    assert reasons[("'Stress'", "notes")] == "a participant's pseudonym in free text"
    assert reasons[("'Isolation'", "notes")] == "looks like a postcode"
    assert reasons[("'Debt'", "notes")] == "a common first name"
    assert not any("Trust" in f.where for f in findings)
    assert any(f.where == "CMO 1" and "email" in f.reason for f in findings)
    assert any(f.field == "notes" and f.where.startswith("participant") for f in findings)


def test_cli_check(project: Project, doc):
    doc.execute(AddFactor("Housing", notes="see Dr Patel"))
    path = project.path
    project.close()
    out = ipsmap("check", path, "--json")
    assert out.returncode == 0, out.stderr
    (finding,) = json.loads(out.stdout)["findings"]
    assert finding["match"] == "Dr Patel"


def test_a_snapshot_taken_before_consent_was_withdrawn_names_the_group(project: Project, doc):
    from ipsmap.model.project_commands import EditParticipant
    from ipsmap.model.snapshots import snapshot_map, take_snapshot

    ids = _people(project)
    project.set_actor(ids["Rowan"])
    doc.execute(AddFactor("Housing"))
    snapshot = take_snapshot(project, doc.id, "Before")
    project.execute(EditParticipant(ids["Rowan"], {"consent": False}))
    shown = {p.pseudonym for p in for_export(snapshot_map(project, snapshot.id)).participants}
    assert "Rowan" not in shown and "Parent/carer" in shown


def test_the_audit_log_no_longer_names_someone_who_withdrew_consent(project: Project, doc):
    from ipsmap.model.project_commands import EditParticipant

    ids = _people(project)
    project.set_actor(ids["Rowan"])
    doc.execute(AddFactor("Housing"))
    project.set_actor(None)
    project.execute(EditParticipant(ids["Rowan"], {"pseudonym": "Rowan B"}))
    project.execute(EditParticipant(ids["Rowan"], {"consent": False}))
    text = json.dumps([e.__dict__ for e in project.history()], ensure_ascii=False)
    assert "Rowan" not in text and "Tuesdays" not in text
    assert "Parent/carer 1" in text
    path = project.path
    project.close()
    out = ipsmap("history", path, "--json", "--ops")
    assert out.returncode == 0 and "Rowan" not in out.stdout
