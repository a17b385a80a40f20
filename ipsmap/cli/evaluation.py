"""The CLI's commands for evaluators: snapshots, comparison and combining maps.

Kept apart from ``ipsmap.cli`` (as ``cli.people`` and ``cli.cmos`` are); ``cli`` registers
these. Mistakes raise IpsmapError: one line on stderr, exit 2, like every command.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ipsmap.model.errors import IpsmapError


def add_parsers(commands: Any) -> None:
    p = commands.add_parser("snapshot", help="freeze a map as it is now (label, sha256)")
    p.add_argument("project", type=Path)
    p.add_argument("--map", required=True, help="the map's id or (unique) name")
    p.add_argument("--label", required=True, help="e.g. 'Adaptation point 2, Glasgow'")
    p.add_argument("--note", default="", help="why it was taken")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = commands.add_parser("snapshots", help="list the snapshots of a project or a map")
    p.add_argument("project", type=Path)
    p.add_argument("--map", help="only this map (id or name)")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = commands.add_parser("diff", help="compare two maps or snapshots: added, removed, changed")
    p.add_argument("project", type=Path)
    p.add_argument("a", help="a map (id or name) or a snapshot id")
    p.add_argument("b", help="a map (id or name) or a snapshot id")
    p.add_argument(
        "--match", choices=["auto", "id", "label"], default="auto",
        help="match records by id, or by label across independently made maps",
    )  # fmt: skip
    p.add_argument(
        "--accept", action="append", default=[], metavar="A_ID=B_ID",
        help="with label matching: treat these two factors as the same (repeatable)",
    )  # fmt: skip
    p.add_argument(
        "--reject", action="append", default=[], metavar="A_ID=B_ID",
        help="with label matching: never match these two factors (repeatable)",
    )  # fmt: skip
    p.add_argument("--json", action="store_true", help="print JSON")

    p = commands.add_parser("aggregate", help="combine maps into a new map (merged by label)")
    p.add_argument("project", type=Path)
    p.add_argument("maps", nargs="+", metavar="MAP", help="two or more maps (ids or names)")
    p.add_argument("--name", required=True, help="name of the new map")
    p.add_argument(
        "--by-ends", action="store_true",
        help="merge links by their ends only (polarity disagreements become '?')",
    )  # fmt: skip
    p.add_argument(
        "--merge", action="append", default=[], metavar="LABEL_A=LABEL_B",
        help="treat these two factor labels as one factor (repeatable); similar labels "
        "that were not merged are listed",
    )  # fmt: skip
    p.add_argument("--json", action="store_true", help="print JSON")


def cmd_snapshot(args: argparse.Namespace) -> int:
    from ipsmap.model.project import Project
    from ipsmap.model.snapshots import take_snapshot

    with Project.open(args.project) as project:
        info = project.find_map(args.map)
        snapshot = take_snapshot(project, info.id, args.label, args.note)
    if args.json:
        print(json.dumps({"id": snapshot.id, "sha256": snapshot.sha256, "label": snapshot.label}))
    else:
        print(f"{snapshot.id} {snapshot.sha256}")
    return 0


def cmd_snapshots(args: argparse.Namespace) -> int:
    from ipsmap.model.project import Project
    from ipsmap.model.snapshots import list_snapshots

    with Project.open(args.project, read_only=True) as project:
        map_id = project.find_map(args.map).id if args.map else None
        names = {p.id: p.pseudonym for p in project.participants.values()}
        rows = [
            {
                "id": s.id,
                "map_id": s.map_id,
                "map_name": s.map_name,
                "label": s.label,
                "note": s.note,
                "taken_at": s.taken_at,
                "taken_by": names.get(s.taken_by or "", ""),
                "sha256": s.sha256,
                # Earlier hashes, when forgetting a participant rewrote the snapshot.
                "superseded": list(s.superseded),
            }
            for s in list_snapshots(project, map_id)
        ]
    if args.json:
        print(json.dumps({"snapshots": rows}, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no snapshots")
    for row in rows:
        print(f"{row['id']}  {row['taken_at']}  {row['map_name']}: {row['label']}  {row['sha256']}")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from ipsmap.model.canonical import map_document
    from ipsmap.model.compare import compare_documents
    from ipsmap.model.project import Project
    from ipsmap.model.snapshots import find_snapshot, snapshot_document

    with Project.open(args.project, read_only=True) as project:
        documents = []
        for ref in (args.a, args.b):
            if find_snapshot(project, ref) is not None:
                documents.append(snapshot_document(project, ref))
            else:
                documents.append(map_document(project.map_data(project.find_map(ref).id)))
    result = compare_documents(
        documents[0], documents[1], args.match, _id_pairs(args.accept, "--accept"),
        _id_pairs(args.reject, "--reject"),
    )  # fmt: skip
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(f"Matched by {result['matched_by']}")
    for table in ("factors", "links"):
        part = result[table]
        print(
            f"{table}: {len(part['added'])} added, {len(part['removed'])} removed, "
            f"{len(part['changed'])} changed"
        )
        for entry in part["added"]:
            print(f"  + {entry['name']}")
        for entry in part["removed"]:
            print(f"  - {entry['name']}")
        for entry in part["changed"]:
            fields = ", ".join(f"{k}: {v[0]!r} → {v[1]!r}" for k, v in entry["fields"].items())
            print(f"  ~ {entry['name']}: {fields}")
    review = [p for p in result.get("proposed_matches", []) if p["decision"] == "proposed"]
    if review:
        print("proposed matches (use --accept A_ID=B_ID or --reject A_ID=B_ID):")
        for p in review:
            print(f"  ? {p['a']!r} = {p['b']!r} ({p['reason']})  {p['a_id']}={p['b_id']}")
    return 0


def _id_pairs(items: list[str], option: str) -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        a_id, sep, b_id = item.partition("=")
        if not sep or not a_id.strip() or not b_id.strip():
            raise IpsmapError(f"{option} takes A_ID=B_ID (factor ids), not {item!r}")
        pairs.append((a_id.strip(), b_id.strip()))
    return pairs


def cmd_aggregate(args: argparse.Namespace) -> int:
    from ipsmap.model.aggregate import combine_maps, propose_merges
    from ipsmap.model.compare import normalise_label
    from ipsmap.model.project import Project

    if len(args.maps) < 2:
        raise IpsmapError("give at least two maps to combine")
    merge = []
    for pair in args.merge:
        a, sep, b = pair.partition("=")
        if not sep or not a.strip() or not b.strip():
            raise IpsmapError(f"--merge takes LABEL_A=LABEL_B, not {pair!r}")
        merge.append((a.strip(), b.strip()))
    with Project.open(args.project) as project:
        ids = [project.find_map(ref).id for ref in args.maps]
        merged = {frozenset(normalise_label(x) for x in pair) for pair in merge}
        proposals = [
            p
            for p in propose_merges([project.map_data(i) for i in ids])
            if frozenset((normalise_label(p.a), normalise_label(p.b))) not in merged
        ]
        map_id = combine_maps(project, ids, args.name, split_polarity=not args.by_ends, merge=merge)
        counts = project.counts()[map_id]
        row = {
            "id": map_id,
            "name": project.map_info(map_id).name,
            "maps": [project.map_info(i).name for i in ids],
            "factors": counts[0],
            "links": counts[1],
            "merged": [list(pair) for pair in merge],
            "similar_not_merged": [p.__dict__ for p in proposals],
        }
    if args.json:
        print(json.dumps(row, ensure_ascii=False, indent=2))
        return 0
    print(f"{map_id}  {row['name']}: {row['factors']} factors, {row['links']} links")
    for p in proposals:
        print(f"similar, not merged: “{p.a}” / “{p.b}” ({p.reason}); --merge to merge")
    return 0


COMMANDS = {
    "snapshot": cmd_snapshot,
    "snapshots": cmd_snapshots,
    "diff": cmd_diff,
    "aggregate": cmd_aggregate,
}
