"""A project in which one participant, Alice, left traces everywhere (the case of issue 13)."""

from __future__ import annotations

from pathlib import Path

from ipsmap.model.commands import AddFactor, AddLink, EditFactor
from ipsmap.model.project import Project
from ipsmap.model.project_commands import AddMap, AddParticipant, EditParticipant
from ipsmap.model.record_commands import AddSession
from ipsmap.model.snapshots import take_snapshot

NAME = "Alice"
ABOUT = "lives on Elm St"
WROTE = "my sister Maureen helps after school"
WROTE_LINK = "when the rent went up the kids stopped swimming"
SECRETS = (NAME, ABOUT, WROTE, WROTE_LINK, "Maureen", "Elm St")


def build(path: Path, withdraw: bool = True) -> dict[str, str]:
    """Build the project at ``path`` (closed afterwards); return the ids that matter."""
    with Project.create(path, "Forgetting") as project:
        alice = AddParticipant(NAME, "parent", "Glasgow", True, notes=f"{NAME} {ABOUT}")
        bob = AddParticipant("Bob", "practitioner", "Glasgow", True)
        project.execute(alice)
        project.execute(bob)
        new_map = AddMap("Glasgow workshop 1", "system", "Glasgow")
        project.execute(new_map)
        doc = project.document(new_map.id)
        project.set_actor(alice.id)
        school = AddFactor("After-school club", notes=WROTE)
        doc.execute(school)
        rent = AddFactor("Rent")
        doc.execute(rent)
        doc.execute(AddLink(rent.id, school.id, "-", rationale=WROTE_LINK))
        project.set_actor(bob.id)
        doc.execute(AddFactor("Housing officer", notes=f"{NAME} mentioned this first"))
        doc.execute(EditFactor(rent.id, {"notes": "Bob's own note"}))
        doc.execute(AddFactor("Swimming", notes=f"{WROTE_LINK} (Bob heard it too)"))
        project.set_actor(None)
        project.execute(AddSession("Workshop 1", "2026-03-02", "Glasgow", attendees=[alice.id]))
        take_snapshot(project, doc.id, "Adaptation point 1", note=f"after {NAME}'s story")
        if withdraw:
            project.execute(EditParticipant(alice.id, {"consent": False}))
        return {"alice": alice.id, "bob": bob.id, "map": new_map.id, "school": school.id}
