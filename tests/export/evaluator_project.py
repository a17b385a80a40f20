"""A small project with everything the evaluator exports show: people, CMOs, snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ipsmap.model.commands import AddFactor, AddLink, EditFactor, EditMap
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap, AddParticipant
from ipsmap.model.record_commands import AddCMO, AddSession
from ipsmap.model.snapshots import take_snapshot

# A consenting participant with an accented name (fonts, escaping) and one without consent.
NAMED = "Zoë Ó'Brien"
WITHHELD = "Secret Sam"
TRICKY_LABEL = 'Parents\' <stress> & "worry"'


@dataclass
class Evaluation:
    project: Project
    map_id: str
    factors: dict[str, str]
    link_id: str
    first_snapshot: str
    second_snapshot: str
    named_id: str
    withheld_id: str


def evaluation_project(path: Path) -> Evaluation:
    project = Project.create(path, "Family support trial — Site A")
    named = AddParticipant(NAMED, "parent", "Glasgow", True)
    withheld = AddParticipant(WITHHELD, "practitioner", "Glasgow", False)
    project.execute(named)
    project.execute(withheld)
    project.execute(
        AddSession("Workshop 1", "2025-03-04", "Glasgow", attendees=[named.id, withheld.id])
    )
    add = AddMap("Glasgow systems map", "system", "Glasgow")
    project.execute(add)
    doc = project.document(add.id)
    styles = {s.name: s.id for s in doc.styles.values() if s.kind == "factor"}
    first_style = next(iter(styles.values()))
    factors: dict[str, str] = {}
    project.set_actor(named.id)
    for i, label in enumerate(
        [TRICKY_LABEL, "Trust in the family worker", "Help-seeking", "Crisis referrals"]
    ):
        command = AddFactor(label, x=i * 220.0, y=(i % 2) * 140.0, type=first_style)
        command.notes = f"Notes on {label}"
        doc.execute(command)
        factors[label] = command.id
    project.set_actor(withheld.id)
    ids = list(factors.values())
    links = [
        AddLink(ids[0], ids[2], "-", rationale="Stress <stops> asking", evidence="Workshop 1"),
        AddLink(ids[1], ids[2], "+", confidence=1.0, rationale="Trust opens doors"),
        AddLink(ids[2], ids[3], "-"),
        AddLink(ids[3], ids[0], "+"),
    ]
    for link in links:
        doc.execute(link)
    project.set_actor(None)
    project.execute(
        AddCMO(
            {
                "area": "Trust & engagement",
                "context": "Parents under stress who fear their children being taken",
                "intervention": "A named family worker",
                "mechanism_resource": "Continuity of one worker",
                "mechanism_reasoning": "Parents feel safe to say what is wrong",
                "outcome": "Earlier help-seeking",
                "for_whom": "Families new to services",
                "status": "supported",
                "confidence": 0.75,
                "evidence": [
                    {"source": "Interview P3", "quote": "she just listened", "where": "p. 4"}
                ],
                "explains": [factors["Trust in the family worker"], links[1].id],
            }
        )
    )
    project.execute(
        AddCMO(
            {
                "area": "Crisis",
                "context": "No early contact",
                "mechanism_reasoning": "Families wait until it is too late",
                "outcome": "Crisis referrals",
            }
        )
    )
    first = take_snapshot(project, add.id, "Adaptation point 1")
    doc.execute(EditFactor(factors["Crisis referrals"], {"label": "Crisis referrals (A&E)"}))
    doc.execute(AddFactor("Peer support", x=300.0, y=300.0, type=first_style))
    view = {
        "name": "What stress affects",
        "question": "affects",
        "focus": [factors[TRICKY_LABEL]],
        "depth": 0,
        "answer": [],
        "summary": "",
    }
    doc.execute(EditMap({"attributes": {"views": [view]}}))
    second = take_snapshot(project, add.id, "Adaptation point 2")
    return Evaluation(
        project, add.id, factors, links[1].id, first.id, second.id, named.id, withheld.id
    )
