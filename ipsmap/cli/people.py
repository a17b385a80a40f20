"""The CLI's commands about people: balance of voices, the personal-data check, forgetting.

Kept apart from ``ipsmap.cli`` so that module stays about maps; ``cli`` registers these.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ipsmap.model.errors import IpsmapError


def add_parsers(commands: Any) -> None:
    p = commands.add_parser(
        "voices", help="whose contributions a map holds, by stakeholder group and site"
    )
    p.add_argument("project", type=Path)
    p.add_argument("--map", help="one map (id or name); default: the whole project")
    p.add_argument("--session", help="contributions made in one session (id or title)")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = commands.add_parser(
        "check", help="list exported text that might hold a personal name or contact detail"
    )
    p.add_argument("project", type=Path)
    p.add_argument("--map", help="only this map (id or name)")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = commands.add_parser(
        "forget",
        help="forget a participant: their pseudonym and notes are rewritten everywhere in the "
        "file (audit log and snapshots included) to their group alias; cannot be undone",
    )
    p.add_argument("project", type=Path)
    p.add_argument("participant", help="the participant's id or current pseudonym")
    p.add_argument(
        "--remove-backups",
        action="store_true",
        help="also delete the backup copies beside the project (NAME.vN.bak), which still "
        "hold the old text",
    )
    p.add_argument("--json", action="store_true", help="print JSON")


def cmd_voices(args: argparse.Namespace) -> int:
    from ipsmap.analysis.voices import balance_of_voices
    from ipsmap.model.project import Project

    with Project.open(args.project, read_only=True) as project:
        map_id = project.find_map(args.map).id if args.map else None
        session_id = _find_session(project, args.session) if args.session else None
        result = balance_of_voices(project, map_id, session_id)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    scope = result["scope"]
    where = scope["map"] or "the whole project"
    if scope["session"]:
        where += f", session {scope['session']!r}"
    totals = result["totals"]
    print(
        f"Voices in {where}: {totals['contributions']} contributions "
        f"({totals['factors']} factors, {totals['links']} links, {totals['notes']} notes, "
        f"{totals['marks']} marks); {totals['attendees']} attendees"
    )
    print()
    print(f"{'group':<18} {'factors':>8} {'links':>8} {'notes':>8} {'marks':>8} "
          f"{'all':>8} {'attended':>9}")  # fmt: skip
    for row in result["groups"]:
        if not row["contributions"] and not row["attendees"]:
            continue
        cells = [
            f"{row[k]:>3} {row[k + '_share']:>4.0%}" for k in ("factors", "links", "notes", "marks")
        ]
        print(
            f"{row['label']:<18} {' '.join(f'{c:>8}' for c in cells)} "
            f"{row['contributions_share']:>8.0%} {row['attendees_share']:>9.0%}"
        )
    single = result["single_group_items"]
    print()
    print(f"{len(single)} factors and links rest on one group's contributions only")
    for warning in result["warnings"]:
        print(f"warning: {warning}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from ipsmap.model.privacy import personal_data_check
    from ipsmap.model.project import Project

    with Project.open(args.project, read_only=True) as project:
        map_ids = [project.find_map(args.map).id] if args.map else None
        findings = personal_data_check(project, map_ids)
    if args.json:
        rows = [f.__dict__ for f in findings]
        print(json.dumps({"findings": rows}, ensure_ascii=False, indent=2))
        return 0
    if not findings:
        print("nothing that looks like a personal name or contact detail")
        return 0
    for f in findings:
        matched = f" “{f.match}”" if f.match else ""
        print(f"{f.where} — {f.field}:{matched} {f.reason}")
    print(f"{len(findings)} fields to review before exporting")
    return 0


def cmd_forget(args: argparse.Namespace) -> int:
    from ipsmap.model.forget import forget_participant, remove_backups
    from ipsmap.model.project import Project

    with Project.open(args.project) as project:
        person = _find_participant(project, args.participant)
        result = forget_participant(project, person.id)
    removed = remove_backups(result.backups) if args.remove_backups else []
    left = [p for p in result.backups if p not in removed]
    if args.json:
        summary = {
            "alias": result.alias,
            "event": result.seq,
            "events_rewritten": result.events_rewritten,
            "snapshots": [
                {"label": label, "superseded": old, "sha256": new}
                for label, old, new in result.snapshots
            ],
            "backups_removed": [str(p) for p in removed],
            "backups_left": [str(p) for p in left],
            "compacted": result.compacted,
        }
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(
            # Not the name typed: the point is that it appears nowhere any more.
            f"forgotten: now {result.alias!r} everywhere in {args.project}; "
            f"{_count(result.events_rewritten, 'audit event')} and "
            f"{_count(len(result.snapshots), 'snapshot')} rewritten "
            "(a snapshot's old sha256 is kept as superseded)"
        )
        for path in removed:
            print(f"removed backup {path}")
    for path in left:
        print(
            f"ipsmap: warning: the backup {path} still holds the old text; delete it "
            "(or run again with --remove-backups)",
            file=sys.stderr,
        )
    if not result.compacted:
        print(
            "ipsmap: warning: another program has the project open, so old text may remain "
            "in its -wal file until it is closed",
            file=sys.stderr,
        )
    return 0


def _find_participant(project: Any, ref: str) -> Any:
    if ref in project.participants:
        return project.participants[ref]
    named = [
        p for p in project.participants.values() if p.pseudonym.casefold() == ref.strip().casefold()
    ]
    if len(named) == 1:
        return named[0]
    if named:
        raise IpsmapError(
            f"{len(named)} participants are called {ref!r}; give the participant's id"
        )
    raise IpsmapError(f"no participant {ref!r} in this project")


def _find_session(project: Any, ref: str) -> str:
    if ref in project.sessions:
        return str(ref)
    titled = [s.id for s in project.sessions.values() if s.title == ref]
    if len(titled) == 1:
        return str(titled[0])
    if titled:
        raise IpsmapError(f"{len(titled)} sessions are called {ref!r}; give the session's id")
    raise IpsmapError(f"no session {ref!r} in this project")


COMMANDS = {"voices": cmd_voices, "check": cmd_check, "forget": cmd_forget}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
