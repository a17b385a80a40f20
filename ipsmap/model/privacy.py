"""What may leave the project about people, and a check for personal data before export.

Exports name people by pseudonym, or by stakeholder group only when they did not consent
to attribution; ``anonymise`` drops pseudonyms for everyone. Free text can still hold a
name someone typed, so :func:`personal_data_check` lists every exported field that looks
as if it might (a participant's pseudonym, "Mrs Smith", a common first name, an email
address, a phone number, a UK postcode) for a person to review before the file goes out.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ipsmap.model.entities import GROUP_LABELS, Participant
from ipsmap.model.mapdata import MapData

if TYPE_CHECKING:
    from ipsmap.model.project import Project


def public_name(person: Participant, anonymise: bool = False) -> str:
    """The name an export may show: the pseudonym, or the group when not consented/anonymised.

    The one rule every export names people by (directly, or through :func:`for_export`);
    the group is its label as the window shows it ("Parent/carer").
    """
    group = GROUP_LABELS.get(person.stakeholder_group, person.stakeholder_group)
    if anonymise or not person.consent:
        return group
    return person.pseudonym or group


def listed_name(person: Participant) -> str:
    """The name other devices in a live session see: the pseudonym, or for someone who did
    not consent their numbered group alias ("Parent/carer 2"); a name kept from before
    aliases existed (an old file) shows as the group only."""
    if person.consent or person.pseudonym.startswith(public_name(person)):
        return person.pseudonym
    return public_name(person)


def public_names(people: Iterable[Participant], anonymise: bool = False) -> dict[str, str]:
    """Participant id → :func:`public_name`, for writers that look people up by id."""
    return {person.id: public_name(person, anonymise) for person in people}


def for_export(data: MapData, anonymise: bool = False) -> MapData:
    """A copy of ``data`` whose participants carry only what an export may show.

    Every writer names people through ``data.participants``, so doing this once before
    writing covers every format. Participant notes never leave the project.
    """
    people = [
        dataclasses.replace(
            person, pseudonym=public_name(person, anonymise), notes="", consent=True
        )
        for person in data.participants
    ]
    if anonymise:
        data = _comment_lines_by_group(data)
    return dataclasses.replace(data, participants=people)


def _comment_lines_by_group(data: MapData) -> MapData:
    """``data`` whose notes' comment lines (``Name: text``, what placing a phone's comment
    appends, model/idea_comments.py) name the writer by group, as an anonymised export names
    everyone. Only a line that starts with a participant's name and ": " is changed; a name
    elsewhere in free text is the personal-data check's to flag."""
    prefixes = {f"{listed_name(p)}: ": f"{public_name(p, True)}: " for p in data.participants}
    if not prefixes:
        return data
    # Longest first: "Sam Jo: …" is Sam Jo's line, not Sam's.
    ordered = sorted(prefixes, key=len, reverse=True)

    def by_group(notes: str) -> str:
        lines = notes.split("\n")
        for n, line in enumerate(lines):
            prefix = next((p for p in ordered if line.startswith(p)), None)
            if prefix is not None:
                lines[n] = prefixes[prefix] + line[len(prefix) :]
        return "\n".join(lines)

    return dataclasses.replace(
        data,
        factors=[dataclasses.replace(f, notes=by_group(f.notes)) for f in data.factors],
        links=[dataclasses.replace(link, notes=by_group(link.notes)) for link in data.links],
    )


def withheld_names(
    people: dict[str, Participant], participant_ops: Iterable[dict]
) -> dict[str, str]:
    """Former pseudonyms of people who no longer consent → the alias they are known by now.

    The audit log keeps every op as it was written; someone who withdrew consent after
    being named must not reappear through it, so readers of the log substitute these.
    """
    result: dict[str, str] = {}
    for one in participant_ops:
        person = people.get(one.get("key", ""))
        if person is None or person.consent:
            continue
        for row in (one.get("before"), one.get("after")):
            name = (row or {}).get("pseudonym")
            if name and name != person.pseudonym:
                result[name] = person.pseudonym
    return result


def redact_op(one: dict, people: dict[str, Participant]) -> dict:
    """An audit-log op on a participant, naming them as they may be named now."""
    person = people.get(one.get("key", ""))
    if one.get("table") != "participants" or person is None or person.consent:
        return one
    redacted = dict(one)
    for side in ("before", "after"):
        row = one.get(side)
        if row:
            row = dict(row)
            if "pseudonym" in row:
                row["pseudonym"] = person.pseudonym
            if row.get("notes"):
                row["notes"] = ""
            redacted[side] = row
    return redacted


def redact_text(text: str, withheld: dict[str, str]) -> str:
    for name, alias in withheld.items():
        text = re.sub(rf"\b{re.escape(name)}\b", alias, text)
    return text


# -- the check before export ------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One field that may hold personal data: where it is, what matched, why it matters."""

    where: str
    field: str
    text: str
    match: str
    reason: str


_HONORIFIC = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][a-z'’-]+")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_PHONE = re.compile(r"(?:\+44\s?|\b0)(?:\d[\s-]?){9,10}\b")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
_DATE_OF_BIRTH = re.compile(r"\b(?:born|DOB|d\.o\.b\.?)\b", re.IGNORECASE)

# Common given names in the UK (a short list written for this check; a match is only a
# prompt for a person to look, never a verdict).
COMMON_FIRST_NAMES = frozenset(
    """
    aisha ali amelia amy andrew anna ava ben callum charlie charlotte chloe chris daniel david
    ella ellie emily emma erin ethan fatima freya george grace hannah harry isabella isla jack
    jacob james jamie jessica john jordan joseph joshua kate katie kyle lauren leo lewis liam
    lily lucy luke mark matthew megan mia michael mohammed muhammad noah oliver olivia paul
    peter rachel rebecca robert ruby ryan sam sarah scott sophie thomas tom william zara
    """.split()  # noqa: SIM905 - one readable block of names
)
_WORD = re.compile(r"\b[A-Z][a-z'’]+\b")


def personal_data_check(project: Project, map_ids: Iterable[str] | None = None) -> list[Finding]:
    """Fields of the given maps (default: all) and of the project's CMOs and sessions that
    might hold a personal name or contact detail, in reading order."""
    pseudonyms = {
        p.pseudonym
        for p in project.participants.values()
        if p.consent and p.pseudonym and p.stakeholder_group != "facilitator"
    }
    findings: list[Finding] = []
    for where, field, text in _exported_texts(project, map_ids):
        hit = _suspect(text, pseudonyms)
        if hit is not None:
            findings.append(Finding(where, field, text, *hit))
    for person in project.participants.values():
        if person.notes.strip():
            findings.append(
                Finding(
                    f"participant {person.pseudonym}",
                    "notes",
                    person.notes,
                    "",
                    "participant notes stay in the project and are never exported",
                )
            )
    return findings


def _exported_texts(
    project: Project, map_ids: Iterable[str] | None
) -> Iterator[tuple[str, str, str]]:
    wanted = set(map_ids) if map_ids is not None else {m.id for m in project.maps()}
    for info in project.maps():
        if info.id not in wanted:
            continue
        data = project.map_data(info.id)
        yield f"map {info.name}", "description", info.description
        labels = {f.id: f.label for f in data.factors}
        for factor in data.factors:
            place = f"{info.name}: factor {factor.label!r}"
            for field in ("label", "notes"):
                yield place, field, getattr(factor, field)
        for link in data.links:
            place = f"{info.name}: link {labels.get(link.source)!r} → {labels.get(link.target)!r}"
            for field in ("rationale", "evidence", "notes", "provenance"):
                yield place, field, getattr(link, field)
    for cmo in project.cmos.values():
        for field in ("context", "intervention", "mechanism_resource", "mechanism_reasoning"):
            yield cmo.code, field, getattr(cmo, field)
        for field in ("outcome", "for_whom", "notes"):
            yield cmo.code, field, getattr(cmo, field)
        for n, item in enumerate(cmo.evidence, start=1):
            for key in ("source", "quote", "where"):
                yield cmo.code, f"evidence {n} {key}", item.get(key, "")
    for session in project.sessions.values():
        yield f"session {session.title}", "notes", session.notes


def _suspect(text: str, pseudonyms: set[str]) -> tuple[str, str] | None:
    if not text or not text.strip():
        return None
    for pattern, reason in (
        (_EMAIL, "looks like an email address"),
        (_PHONE, "looks like a phone number"),
        (_POSTCODE, "looks like a postcode"),
        (_HONORIFIC, "a title followed by a name"),
        (_DATE_OF_BIRTH, "mentions a date of birth"),
    ):
        found = pattern.search(text)
        if found:
            return found.group(0), reason
    for name in pseudonyms:
        if re.search(rf"\b{re.escape(name)}\b", text):
            return name, "a participant's pseudonym in free text"
    for word in _WORD.findall(text):
        if word.lower() in COMMON_FIRST_NAMES:
            return word, "a common first name"
    return None
