"""The demo project's workshops: participants, four sessions, the maps drawn in the first
workshop of each site, and the marks people gave in the second.

Everything is entered through the ordinary commands, with the actor and session set as a
facilitator would have them, so the audit log and attribution look like a real trial: the
people come first (a session names its attendees), then the sessions, then each site's map
is imported while its first workshop is the current session, so the balance of voices for
that workshop counts what was drawn in it.

The data is written here rather than as a JSON file in resources/demo, because every
``*.json`` there is read as a demo map (``demo_map_files``).

What the marks are meant to show:

- parents/carers and practitioners disagree: parents rate *Fear of child removal* and
  *Stigma of social work involvement* important, practitioners do not; practitioners rate
  *Multi-agency partnership working* important and within reach, parents do not;
- community members attend every session but the maps hardly carry their voice (Moira
  gives one vote, Tam and Tunde none).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ipsmap.model.entities import CONFIDENCE_LEVELS
from ipsmap.model.project_commands import AddParticipant, EditParticipant
from ipsmap.model.record_commands import AddSession, MarkSpec, SetMarks

if TYPE_CHECKING:
    from ipsmap.model.mapdata import MapData
    from ipsmap.model.project import Project

GLASGOW = "Glasgow: families' local system"
LAMBETH = "Lambeth: families' local system"

# Added to the people the demo maps already name (pseudonyms only): community members who
# came to the workshops but whose voice the maps hardly carry.
NEW_PARTICIPANTS = [
    ("Moira", "community member", "Glasgow"),
    ("Tam", "community member", "Glasgow"),
    ("Tunde", "community member", "Lambeth"),
]
# These people did not agree to be credited: they are kept only as their group.
WITHOUT_CONSENT = ["Rowan", "Jade", "Moira"]

SESSIONS: list[dict[str, Any]] = [
    {
        "title": "Glasgow workshop 1: drawing the local system",
        "date": "2026-02-10",
        "site": "Glasgow",
        "facilitator": "Duncan",
        "attendees": ["Eilidh", "Rowan", "Shona", "Callum", "Fiona", "Ishbel", "Moira", "Tam"],
    },
    {
        "title": "Lambeth workshop 1: drawing the local system",
        "date": "2026-02-17",
        "site": "Lambeth",
        "facilitator": "Farah",
        "attendees": ["Amara", "Jade", "Rosa", "Kwame", "Tunde", "Leah", "Dev"],
    },
    {
        "title": "Glasgow workshop 2: what matters most",
        "date": "2026-03-10",
        "site": "Glasgow",
        "facilitator": "Duncan",
        "attendees": ["Eilidh", "Rowan", "Shona", "Callum", "Fiona", "Ishbel", "Moira", "Tam"],
        "notes": "Marks collected on paper sheets and entered by the facilitator.",
    },
    {
        "title": "Lambeth workshop 2: what matters most",
        "date": "2026-03-17",
        "site": "Lambeth",
        "facilitator": "Farah",
        "attendees": ["Amara", "Jade", "Rosa", "Kwame", "Tunde", "Leah", "Dev"],
    },
]

# Per map: the session the marks were given in, and each person's marks. Factors and
# links are named by label ("A -> B" for a link); votes stay within 5 per person.
MARKS: dict[str, dict[str, Any]] = {
    GLASGOW: {
        "session": "Glasgow workshop 2: what matters most",
        "people": {
            "Eilidh": {
                "important": [
                    "Fear of child removal",
                    "Parental mental health",
                    "Household poverty",
                    "Child stays safely at home",
                    "Consistent trusted worker",
                    "Stigma of social work involvement",
                ],
                "controllable": [
                    "Peer support from other parents",
                    "Consistent trusted worker",
                    "Welfare rights advice",
                ],
                "vulnerable": ["Benefit delays and sanctions", "Housing insecurity"],
                "votes": {
                    "Fear of child removal": 2,
                    "Consistent trusted worker": 2,
                    "Household poverty": 1,
                },
                "confidence": {
                    "Fear of child removal -> Willingness to ask for help": "high",
                    "Household poverty -> Parental stress": "high",
                    "Social work involvement -> Fear of child removal": "high",
                },
            },
            "Rowan": {
                "important": [
                    "Fear of child removal",
                    "Household poverty",
                    "Food insecurity",
                    "Stigma of social work involvement",
                    "Child stays safely at home",
                    "Social isolation",
                ],
                "controllable": ["Peer support from other parents", "Welfare rights advice"],
                "vulnerable": ["Benefit delays and sanctions"],
                "votes": {"Household poverty": 2, "Fear of child removal": 2, "Food insecurity": 1},
                "confidence": {
                    "Household poverty -> Parental stress": "high",
                    "Social work involvement -> Fear of child removal": "high",
                },
            },
            "Shona": {
                "important": [
                    "Fear of child removal",
                    "Parental mental health",
                    "Trust in professionals",
                    "Child wellbeing and development",
                    "Social isolation",
                    "Stigma of social work involvement",
                ],
                "controllable": [
                    "Peer support from other parents",
                    "Nursery or early learning place",
                    "Consistent trusted worker",
                ],
                "vulnerable": ["Waiting lists for services"],
                "votes": {
                    "Fear of child removal": 1,
                    "Parental mental health": 2,
                    "Peer support from other parents": 2,
                },
                "confidence": {"Trust in professionals -> Willingness to ask for help": "medium"},
            },
            "Callum": {
                "important": [
                    "Child protection concerns",
                    "Multi-agency partnership working",
                    "Parent–infant relationship quality",
                    "Child wellbeing and development",
                    "Practitioner workload",
                    "Sensitive, responsive caregiving",
                ],
                "controllable": [
                    "Multi-agency partnership working",
                    "Health visitor contact",
                    "IPS team support",
                    "Sensitive, responsive caregiving",
                    "Consistent trusted worker",
                ],
                "vulnerable": ["Practitioner workload", "Waiting lists for services"],
                "votes": {
                    "Multi-agency partnership working": 2,
                    "Parent–infant relationship quality": 2,
                    "IPS team support": 1,
                },
                "confidence": {
                    "Fear of child removal -> Willingness to ask for help": "low",
                    "Practitioner workload -> Consistent trusted worker": "high",
                    "Household poverty -> Parental stress": "medium",
                },
            },
            "Fiona": {
                "important": [
                    "Child protection concerns",
                    "Parent–infant relationship quality",
                    "Parental mental health",
                    "Multi-agency partnership working",
                    "Child stays safely at home",
                ],
                "controllable": [
                    "IPS team support",
                    "Multi-agency partnership working",
                    "Health visitor contact",
                    "Consistent trusted worker",
                    "Parenting confidence",
                ],
                "vulnerable": ["Practitioner workload"],
                "votes": {
                    "Child protection concerns": 2,
                    "Parent–infant relationship quality": 1,
                    "Consistent trusted worker": 2,
                },
                "confidence": {
                    "Social work involvement -> Fear of child removal": "low",
                    "Practitioner workload -> Consistent trusted worker": "high",
                },
            },
            "Ishbel": {"important": ["Social isolation"], "votes": {"Social isolation": 2}},
            "Moira": {"votes": {"Food insecurity": 1}},
        },
    },
    LAMBETH: {
        "session": "Lambeth workshop 2: what matters most",
        "people": {
            "Amara": {
                "important": [
                    "Fear of child removal",
                    "No recourse to public funds",
                    "Racial disparities in referrals",
                    "Stigma of social work involvement",
                    "Child stays safely at home",
                ],
                "controllable": [
                    "Access to interpreters",
                    "Community and faith groups",
                    "Culturally aware practice",
                ],
                "vulnerable": ["Temporary accommodation out of borough", "Food bank"],
                "votes": {
                    "Fear of child removal": 2,
                    "Racial disparities in referrals": 2,
                    "No recourse to public funds": 1,
                },
                "confidence": {
                    "Fear of child removal -> Willingness to ask for help": "high",
                    "Racial disparities in referrals -> Social work involvement": "high",
                },
            },
            "Jade": {
                "important": [
                    "Fear of child removal",
                    "Household poverty",
                    "Temporary accommodation out of borough",
                    "Social isolation",
                    "Stigma of social work involvement",
                ],
                "controllable": ["Food bank", "Community and faith groups"],
                "vulnerable": ["Temporary accommodation out of borough"],
                "votes": {
                    "Temporary accommodation out of borough": 2,
                    "Fear of child removal": 2,
                    "Household poverty": 1,
                },
                "confidence": {
                    "Temporary accommodation out of borough -> Social isolation": "high",
                    "Household poverty -> Parental stress": "high",
                },
            },
            "Rosa": {
                "important": [
                    "Fear of child removal",
                    "Language barriers",
                    "Parental mental health",
                    "Trust in professionals",
                    "Racial disparities in referrals",
                ],
                "controllable": ["Access to interpreters", "Culturally aware practice"],
                "vulnerable": ["Staff turnover"],
                "votes": {
                    "Language barriers": 2,
                    "Fear of child removal": 1,
                    "Trust in professionals": 2,
                },
                "confidence": {"Language barriers -> Willingness to ask for help": "high"},
            },
            "Leah": {
                "important": [
                    "Child protection concerns",
                    "Multi-agency partnership working",
                    "Staff turnover",
                    "Parent–infant relationship quality",
                    "Child wellbeing and development",
                ],
                "controllable": [
                    "Multi-agency partnership working",
                    "IPS team support",
                    "Access to interpreters",
                    "Culturally aware practice",
                    "Health visitor contact",
                ],
                "vulnerable": ["Staff turnover"],
                "votes": {
                    "Multi-agency partnership working": 2,
                    "Staff turnover": 2,
                    "Child protection concerns": 1,
                },
                "confidence": {
                    "Fear of child removal -> Willingness to ask for help": "medium",
                    "Staff turnover -> Consistent trusted worker": "high",
                },
            },
            "Dev": {
                "important": [
                    "Multi-agency partnership working",
                    "Child stays safely at home",
                    "Parental mental health",
                    "Staff turnover",
                    "Parent–infant relationship quality",
                ],
                "controllable": [
                    "IPS team support",
                    "Multi-agency partnership working",
                    "Health visitor contact",
                    "Consistent trusted worker",
                ],
                "vulnerable": ["Staff turnover", "Waiting lists for services"],
                "votes": {
                    "Consistent trusted worker": 2,
                    "Multi-agency partnership working": 1,
                    "Parental mental health": 2,
                },
                "confidence": {
                    "Racial disparities in referrals -> Social work involvement": "low",
                    "Staff turnover -> Consistent trusted worker": "high",
                },
            },
            "Kwame": {"votes": {"Community and faith groups": 3}},
        },
    },
}


def add_demo_workshops(project: Project, maps: list[MapData]) -> None:
    """Build the demo's people, sessions, maps (drawn in the sessions) and marks."""
    by_name = _add_people(project, maps)
    session_ids: dict[str, str] = {}
    for spec in SESSIONS:
        session = AddSession(
            title=spec["title"],
            date=spec["date"],
            site=spec["site"],
            facilitator=by_name[spec["facilitator"]],
            attendees=[by_name[a] for a in spec["attendees"]],
            notes=spec.get("notes", ""),
        )
        project.set_actor(by_name[spec["facilitator"]])
        project.execute(session)
        session_ids[spec["title"]] = session.id
    for data in maps:
        # A site's map was drawn in its first workshop; a map for all sites in none.
        first = next((s for s in SESSIONS if s["site"] == data.info.site), None)
        project.set_session(session_ids[first["title"]] if first else None)
        project.set_actor(by_name[first["facilitator"]] if first else None)
        project.import_map(data)
    map_ids = {m.name: m.id for m in project.maps()}
    for map_name, spec in MARKS.items():
        map_id = map_ids[map_name]
        held = next(s for s in SESSIONS if s["title"] == spec["session"])
        project.set_session(session_ids[spec["session"]])
        # The facilitator types in each person's sheet: the marks are theirs, the entry his.
        project.set_actor(by_name[held["facilitator"]])
        for person, marks in spec["people"].items():
            specs = _mark_specs(project, map_id, by_name[person], marks)
            project.execute(SetMarks(map_id, specs))
    project.set_session(None)
    project.set_actor(None)
    # Consent is withdrawn last, so the pseudonyms above could name people while building.
    for pseudonym in WITHOUT_CONSENT:
        project.execute(EditParticipant(by_name[pseudonym], {"consent": False}))


def _add_people(project: Project, maps: list[MapData]) -> dict[str, str]:
    """Everyone the maps name (with their ids, so the imports reuse them), then the rest."""
    by_name = {p.pseudonym: p.id for p in project.participants.values()}
    for data in maps:
        for person in data.participants:
            if person.id in project.participants:
                continue
            project.execute(
                AddParticipant(
                    person.pseudonym,
                    person.stakeholder_group,
                    person.site,
                    person.consent,
                    person.notes,
                    id=person.id,
                )
            )
            by_name[person.pseudonym] = person.id
    for pseudonym, group, site in NEW_PARTICIPANTS:
        command = AddParticipant(pseudonym, group, site)
        project.execute(command)
        by_name[pseudonym] = command.id
    return by_name


def _mark_specs(
    project: Project, map_id: str, participant: str, marks: dict[str, Any]
) -> list[MarkSpec]:
    document = project.document(map_id)
    factors = {f.label: f.id for f in document.factors.values()}
    links = {
        f"{document.factors[link.source].label} -> {document.factors[link.target].label}": link.id
        for link in document.links.values()
    }
    specs = []
    for kind in ("important", "controllable", "vulnerable"):
        specs += [MarkSpec(participant, factors[label], kind, 1) for label in marks.get(kind, [])]
    specs += [
        MarkSpec(participant, factors[label], "votes", n)
        for label, n in marks.get("votes", {}).items()
    ]
    specs += [
        MarkSpec(participant, links[name], "confidence", CONFIDENCE_LEVELS[level])
        for name, level in marks.get("confidence", {}).items()
    ]
    return specs
