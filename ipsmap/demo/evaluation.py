"""The demo's first adaptation point: snapshots of the site maps, then what changed after.

So that an evaluator opening the demo finds the evaluation story already under way: each
site's systems map is frozen as "Adaptation point 1", then Glasgow's second workshop adds
the cost-of-living crisis to the map, firms up a link, and the practical-needs CMO gains
evidence and moves from refined to supported. Comparing the live map with the snapshot, the
PDF's "changes since the previous snapshot" and a CMO's history all have something to show.
"""

from __future__ import annotations

from ipsmap.model.commands import AddFactor, AddLink, EditLink, SetGroupMembers
from ipsmap.model.entities import CONFIDENCE_LEVELS, STRENGTH_LEVELS
from ipsmap.model.project import Project
from ipsmap.model.record_commands import EditCMO
from ipsmap.model.snapshots import take_snapshot

ADAPTATION_POINT = "Adaptation point 1"
GLASGOW = "Glasgow: families' local system"
REVISITED_IN = "Glasgow workshop 2: what matters most"


class DemoEvaluationError(RuntimeError):
    """The demo content no longer matches the maps it refers to (a test catches it)."""


def add_demo_adaptation_point(project: Project) -> None:
    people = {p.pseudonym: p.id for p in project.participants.values()}
    sessions = {s.title: s.id for s in project.sessions.values()}
    maps = {m.name: m for m in project.maps()}
    if GLASGOW not in maps or REVISITED_IN not in sessions:
        raise DemoEvaluationError("the demo's Glasgow map or its second workshop is missing")

    # The evaluation team freezes both site maps before the trial's first adaptation.
    project.set_actor(people.get("Catriona"))
    for info in maps.values():
        if info.kind == "system":
            take_snapshot(
                project,
                info.id,
                f"{ADAPTATION_POINT}, {info.site}",
                "The map as the first workshop left it, before the first adaptation point",
            )

    # Glasgow's second workshop revisits the map: a parent adds what had been missing.
    project.set_session(sessions[REVISITED_IN])
    project.set_actor(people.get("Eilidh"))
    document = project.document(maps[GLASGOW].id)
    labels = {f.label: f for f in document.factors.values()}
    poverty = labels.get("Household poverty")
    food = labels.get("Food insecurity")
    if poverty is None or food is None:
        raise DemoEvaluationError("Household poverty / Food insecurity are not on the Glasgow map")
    context = document.state.style_named("factor", "Context")
    crisis = AddFactor(
        "Cost of living crisis",
        # A free spot on the demo's grid, left of the money-and-housing factors.
        poverty.x - 420,
        poverty.y - 110,
        type=context.id if context else None,
        notes="Raised at the second workshop: prices rising faster than incomes and benefits.",
    )
    document.execute(crisis)
    money = next((g for g in document.state.groups.values() if g.name == "Money and housing"), None)
    if money is not None:
        document.execute(SetGroupMembers(money.id, add=[crisis.id]))
    document.execute(
        AddLink(
            crisis.id,
            poverty.id,
            "+",
            strength=STRENGTH_LEVELS["strong"],
            confidence=CONFIDENCE_LEVELS["high"],
            rationale="Energy and food prices pushed families who were managing into poverty.",
            evidence="Glasgow workshop 2",
        )
    )
    firmed_up = next(
        (
            link
            for link in document.links.values()
            if link.source == poverty.id and link.target == food.id
        ),
        None,
    )
    if firmed_up is not None:
        document.execute(
            EditLink(
                firmed_up.id,
                {
                    "confidence": CONFIDENCE_LEVELS["high"],
                    "evidence": "Glasgow workshop 2: food bank use reported by three families",
                },
            )
        )

    # What the workshop heard bears out the practical-needs configuration.
    practical = next((c for c in project.cmos.values() if c.area == "Practical needs"), None)
    if practical is not None:
        evidence = [
            *practical.evidence,
            {
                "source": "Glasgow workshop 2",
                "quote": "Once the benefits were sorted I could actually enjoy her.",
                "where": REVISITED_IN,
                "session_id": sessions[REVISITED_IN],
            },
        ]
        project.execute(EditCMO(practical.id, {"evidence": evidence, "status": "supported"}))
    project.set_session(None)
    project.set_actor(None)
