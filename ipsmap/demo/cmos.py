"""The demo project's CMO configurations of the IPS programme theory.

The data names the factors and links a CMO explains by map name and label (links by the
labels of their ends), so it stays readable and survives fresh ids; they are resolved to
ids when the demo is built, and a label that no longer matches is an error, not a gap.

It is written here rather than as resources/demo/cmos.json because every ``*.json`` there
is read as a demo map (``demo_map_files``, and the packaging tests hold it to that).
"""

# ruff: noqa: E501 - the demo texts read better unbroken

from __future__ import annotations

from typing import Any

from ipsmap.model.entities import new_id
from ipsmap.model.project import Project
from ipsmap.model.record_commands import AddCMO, EditCMO

TOC = "IPS team theory of change"
GLASGOW = "Glasgow: families' local system"
LAMBETH = "Lambeth: families' local system"


def _factor(map_name: str, label: str) -> dict[str, Any]:
    return {"map": map_name, "factor": label}


def _link(map_name: str, source: str, target: str) -> dict[str, Any]:
    return {"map": map_name, "link": [source, target]}


# What the CMOs explain is named by map and label (links by the labels of their ends), and
# chains by code; both are resolved when the demo is built.
DEMO_CMOS: list[dict[str, Any]] = [
    dict(
        code="CMO 1",
        area="Engagement and trust",
        context="Parents fear child removal; previous negative experiences with services",
        intervention="Home visits by an IPS practitioner who is not the family's social worker",
        mechanism_resource="Non-judgemental, relational practitioner, separate from child protection",
        mechanism_reasoning="Parent feels safe enough to engage, and begins to trust",
        outcome="Engagement with IPS; trust between parent and professionals",
        for_whom="Parents with a social worker, especially those who were in care themselves",
        status="supported",
        confidence=0.75,
        evidence=[
            {
                "source": "Parent workshop",
                "quote": "She wasn't there to judge me, she was there for me and the baby.",
                "where": "Glasgow workshop 1: drawing the local system",
            },
            {
                "source": "Practitioner focus group",
                "quote": "Saying we don't write the child protection report changes the first visit.",
                "where": "Lambeth workshop 2: what matters most",
            },
            {
                "source": "Theory-of-change map",
                "quote": "Link added: feeling heard leads to trust",
                "where": "Snapshot: Adaptation point 1",
            },
        ],
        notes="Central to the programme theory; tested in every site.",
        explains=[
            _factor(TOC, "Parent feels heard and not judged"),
            _factor(TOC, "Trust between parent and professionals"),
            _link(
                TOC, "Parent feels heard and not judged", "Trust between parent and professionals"
            ),
            _factor(GLASGOW, "Fear of child removal"),
            _factor(GLASGOW, "Trust in professionals"),
        ],
        leads_to=["CMO 2", "CMO 4"],
    ),
    dict(
        code="CMO 2",
        area="Reflective parenting",
        context="Parent engages and trusts the practitioner; the baby's cues feel hard to read",
        intervention="Video feedback during home visits",
        mechanism_resource="Practitioner replays moments of attuned interaction on video",
        mechanism_reasoning="Parent sees themselves as capable and becomes curious about the baby's mind",
        outcome="Improved parental reflective functioning; more sensitive caregiving",
        for_whom="Parents of babies under two who feel criticised as parents",
        status="refined",
        confidence=0.6,
        evidence=[
            {
                "source": "Practitioner focus group",
                "quote": "Only works once they trust you; too early and the camera feels like an assessment.",
                "where": "Lambeth workshop 2: what matters most",
            },
            {
                "source": "Case notes audit",
                "quote": "Video feedback declined in 4 of 11 first visits.",
                "where": "Adaptation point 1",
            },
        ],
        notes="Refined after the second workshops: video feedback only after engagement (context added).",
        explains=[
            _factor(TOC, "Home visits using video feedback"),
            _link(TOC, "Home visits using video feedback", "Parent notices baby's cues"),
            _factor(TOC, "Parent's reflective functioning increases"),
            _factor(TOC, "More sensitive caregiving"),
        ],
        leads_to=["CMO 3"],
    ),
    dict(
        code="CMO 3",
        area="Parent–infant relationship",
        context="Parent is more reflective, but stress at home continues",
        intervention="Parent–infant psychotherapy sessions",
        mechanism_resource="Space to think about the parent's own childhood alongside the baby's needs",
        mechanism_reasoning="Parent links their own experiences to how they respond to the baby, and feels less overwhelmed",
        outcome="Improved parent–infant relationship; towards secure attachment",
        for_whom="Parents with difficult childhoods of their own",
        status="initial",
        confidence=0.4,
        evidence=[
            {
                "source": "Programme documents",
                "quote": "Parent–infant psychotherapy offered where indicated.",
                "where": "Glasgow workshop 1: drawing the local system",
            }
        ],
        notes="",
        explains=[
            _factor(TOC, "Parent–infant psychotherapy sessions"),
            _factor(TOC, "Improved parent–infant relationship"),
            _link(TOC, "Improved parent–infant relationship", "Secure attachment"),
        ],
        leads_to=[],
    ),
    dict(
        code="CMO 4",
        area="Working with social work",
        context="Social workers under caseload pressure; concerns focus on risk",
        intervention="Joint working with the social worker; shared plans",
        mechanism_resource="IPS practitioner shares observations of the parent's strengths and progress",
        mechanism_reasoning="Social worker revises their view of risk and feels supported to hold the case",
        outcome="Child protection decisions reflect progress; child stays safely with family",
        for_whom="Families on child protection plans",
        status="supported",
        confidence=0.55,
        evidence=[
            {
                "source": "Social work team meeting",
                "quote": "Their reports gave us something to put to conference besides the risks.",
                "where": "Glasgow workshop 2: what matters most",
            }
        ],
        notes="Depends on social workers having time for joint work (assumption on the ToC).",
        explains=[
            _factor(TOC, "Joint working with social worker"),
            _factor(TOC, "Social worker sees parent's strengths"),
            _link(
                TOC,
                "Social worker sees parent's strengths",
                "Child protection decisions reflect progress",
            ),
            _factor(GLASGOW, "Multi-agency partnership working"),
        ],
        leads_to=[],
    ),
    dict(
        code="CMO 5",
        area="Practical needs",
        context="Household poverty, benefit delays and insecure housing",
        intervention="Help with practical worries (benefits, housing, food)",
        mechanism_resource="Practitioner helps sort out practical problems first",
        mechanism_reasoning="Parent has headspace for the baby and sees the practitioner as on their side",
        outcome="Reduced parental stress",
        for_whom="Families in poverty or in temporary accommodation",
        status="refined",
        confidence=0.5,
        evidence=[
            {
                "source": "Parent workshop",
                "quote": "You can't think about feelings when the electric's about to go off.",
                "where": "Lambeth workshop 1: drawing the local system",
            },
            {
                "source": "Practitioner focus group",
                "quote": "We spend the first weeks on housing letters.",
                "where": "Lambeth workshop 2: what matters most",
            },
        ],
        notes="Refined: in Lambeth, out-of-borough temporary accommodation limits what the team can do.",
        explains=[
            _factor(TOC, "Help with practical worries"),
            _factor(TOC, "Family connected to practical help"),
            _link(TOC, "Family connected to practical help", "Reduced parental stress"),
            _factor(LAMBETH, "Temporary accommodation out of borough"),
            _factor(LAMBETH, "Housing insecurity"),
        ],
        leads_to=["CMO 2"],
    ),
    dict(
        code="CMO 6",
        area="Engagement and trust",
        context="Parents whose earlier children were removed",
        intervention="Joint first visits with the social worker",
        mechanism_resource="Introduction to IPS by the family's social worker",
        mechanism_reasoning="Parent transfers their trust in the social worker to the IPS practitioner",
        outcome="Early engagement with IPS",
        for_whom="Parents with previous care proceedings",
        status="refuted",
        confidence=0.3,
        evidence=[
            {
                "source": "Parent workshop",
                "quote": "When they came together I thought it was another assessment.",
                "where": "Glasgow workshop 2: what matters most",
            },
            {
                "source": "Practitioner focus group",
                "quote": "We now meet parents on our own first.",
                "where": "Lambeth workshop 2: what matters most",
            },
        ],
        notes="Refuted at the second workshops in both sites: joint first visits felt like surveillance. Replaced by CMO 1.",
        explains=[
            _link(TOC, "Joint working with social worker", "Parent feels heard and not judged"),
            _factor(GLASGOW, "Stigma of social work involvement"),
        ],
        leads_to=[],
    ),
    dict(
        code="CMO 7",
        area="Workforce",
        context="Small, protected caseloads and regular clinical supervision",
        intervention="Reflective clinical supervision for IPS practitioners",
        mechanism_resource="Time and supervision to think about each family",
        mechanism_reasoning="Practitioners stay curious and non-defensive with families in crisis",
        outcome="A consistent, trusted worker; families stay connected to support",
        for_whom="Practitioners working with families in crisis",
        status="initial",
        confidence=0.45,
        evidence=[
            {
                "source": "Practitioner focus group",
                "quote": "Supervision is what stops us becoming another service that gives up.",
                "where": "Lambeth workshop 2: what matters most",
            }
        ],
        notes="Staff turnover in Lambeth may weaken this.",
        explains=[
            _factor(TOC, "Clinical supervision"),
            _factor(TOC, "Small, protected caseloads"),
            _factor(GLASGOW, "Consistent trusted worker"),
            _factor(LAMBETH, "Staff turnover"),
        ],
        leads_to=["CMO 1"],
    ),
]


class DemoContentError(ValueError):
    """The shipped demo CMOs name a map, factor, link or CMO the demo does not have."""


def add_demo_cmos(project: Project, entries: list[dict[str, Any]] | None = None) -> list[str]:
    """Add the demo CMOs to ``project`` (one command each, then the chains); return ids."""
    entries = DEMO_CMOS if entries is None else entries
    ids = {entry["code"]: new_id() for entry in entries}
    resolved = []
    for entry in entries:
        fields = {k: v for k, v in entry.items() if k not in ("explains", "leads_to")}
        fields["explains"] = [_resolve(project, ref, entry["code"]) for ref in entry["explains"]]
        for code in entry.get("leads_to", []):
            if code not in ids:
                raise DemoContentError(f"{entry['code']} leads to unknown CMO {code!r}")
        resolved.append((ids[entry["code"]], fields, [ids[c] for c in entry.get("leads_to", [])]))
    # Chains name other CMOs, so they are set once all of them exist.
    for cmo_id, fields, _ in resolved:
        project.execute(AddCMO(fields, id=cmo_id))
    for cmo_id, _, leads_to in resolved:
        if leads_to:
            project.execute(EditCMO(cmo_id, {"leads_to": leads_to}))
    return [cmo_id for cmo_id, _, _ in resolved]


def _resolve(project: Project, ref: dict[str, Any], code: str) -> str:
    maps = [m for m in project.maps() if m.name == ref["map"]]
    if len(maps) != 1:
        raise DemoContentError(f"{code}: no single demo map called {ref['map']!r}")
    document = project.document(maps[0].id)
    by_label = {f.label: f.id for f in document.factors.values()}

    def factor(label: str) -> str:
        if label not in by_label:
            raise DemoContentError(f"{code}: no factor {label!r} on {ref['map']!r}")
        return by_label[label]

    if "factor" in ref:
        return factor(ref["factor"])
    source, target = (factor(label) for label in ref["link"])
    for link in document.links.values():
        if link.source == source and link.target == target:
            return link.id
    raise DemoContentError(f"{code}: no link {ref['link'][0]!r} → {ref['link'][1]!r}")
