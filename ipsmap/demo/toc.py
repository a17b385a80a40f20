"""The demo theory of change's assumptions and indicators (by label; resolved when built).

Indicators say how the evaluation will see that a step happened; assumptions what must hold
for the step to lead to the next. They are stored in the factors' and links' attributes
(see ``ipsmap.model.toc_notes``) through ordinary edit commands.
"""

from __future__ import annotations

from ipsmap.model.commands import EditFactor, EditLink
from ipsmap.model.project import Project
from ipsmap.model.toc_notes import ASSUMPTIONS, INDICATORS, with_toc_list

TOC = "IPS team theory of change"

FACTOR_NOTES: dict[str, dict[str, list[str]]] = {
    "Families seen regularly at home": {
        INDICATORS: [
            "Share of referred families with 6 or more home visits in 3 months",
            "Visits cancelled by the service, per family",
        ],
        ASSUMPTIONS: ["Families can be reached at home (not moved out of borough)"],
    },
    "Parent feels heard and not judged": {
        INDICATORS: ["Parent-reported working alliance at 3 months"],
    },
    "Parent's reflective functioning increases": {
        INDICATORS: ["Parent Development Interview or PRFQ scores at baseline and 12 months"],
    },
    "Improved parent–infant relationship": {
        INDICATORS: ["Observed parent–infant interaction (video) at 12 months"],
        ASSUMPTIONS: ["Change holds once the team's involvement ends"],
    },
    "Child stays safely with family": {
        INDICATORS: ["Child protection plans closed or stepped down", "Days in care per child"],
    },
}

# (cause, effect) → what that link assumes.
LINK_NOTES: dict[tuple[str, str], dict[str, list[str]]] = {
    ("Families seen regularly at home", "Parent feels heard and not judged"): {
        ASSUMPTIONS: [
            "Parents see the practitioner as separate from child protection decisions",
        ],
    },
    ("Parent feels heard and not judged", "Trust between parent and professionals"): {
        ASSUMPTIONS: ["Social workers act on what the team shares about progress"],
    },
}


class DemoTocError(RuntimeError):
    """A label above no longer names a factor or link of the demo theory of change."""


def add_demo_toc_notes(project: Project) -> None:
    maps = [m for m in project.maps() if m.name == TOC]
    if len(maps) != 1:
        raise DemoTocError(f"no single demo map called {TOC!r}")
    document = project.document(maps[0].id)
    by_label = {f.label: f for f in document.factors.values()}
    for label, notes in FACTOR_NOTES.items():
        factor = by_label.get(label)
        if factor is None:
            raise DemoTocError(f"no factor {label!r} in the demo theory of change")
        attributes = dict(factor.attributes)
        for key, lines in notes.items():
            attributes = with_toc_list(attributes, key, lines)
        document.execute(EditFactor(factor.id, {"attributes": attributes}))
    for (cause, effect), notes in LINK_NOTES.items():
        ids = (by_label.get(cause), by_label.get(effect))
        link = next(
            (
                ln
                for ln in document.links.values()
                if ids[0] and ids[1] and (ln.source, ln.target) == (ids[0].id, ids[1].id)
            ),
            None,
        )
        if link is None:
            raise DemoTocError(f"no link {cause!r} → {effect!r} in the demo theory of change")
        attributes = dict(link.attributes)
        for key, lines in notes.items():
            attributes = with_toc_list(attributes, key, lines)
        document.execute(EditLink(link.id, {"attributes": attributes}))
