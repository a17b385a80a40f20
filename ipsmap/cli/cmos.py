"""The CLI's command about the programme theory: ``ipsmap cmos`` lists CMO configurations.

Kept apart from ``ipsmap.cli`` so that module stays about maps; ``cli`` registers it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ipsmap.model.entities import CMO_STATUSES
from ipsmap.model.errors import IpsmapError


def add_parsers(commands: Any) -> None:
    p = commands.add_parser(
        "cmos", help="list the CMO configurations (context, mechanism, outcome, evidence)"
    )
    p.add_argument("project", type=Path)
    p.add_argument("--status", choices=CMO_STATUSES, help="only CMOs with this status")
    p.add_argument(
        "--history",
        metavar="CODE",
        help="how one CMO (e.g. 'CMO 3') changed, grouped by the snapshots in between",
    )
    p.add_argument("--json", action="store_true", help="print JSON")


def cmos_listing(project: Any, status: str | None = None) -> list[dict[str, Any]]:
    """Every CMO as plain data, with what it explains named by label and map."""
    from ipsmap.model.cmo_queries import chain_paths, cmos_in_order, describe_item

    rows = []
    for cmo in cmos_in_order(project):
        if status and cmo.status != status:
            continue
        explains = []
        for item_id in cmo.explains:
            ref = describe_item(project, item_id)
            explains.append(
                {"id": item_id, "kind": ref.kind, "label": ref.label, "map": ref.map_name}
                if ref
                else {"id": item_id, "kind": None, "label": None, "map": None}
            )
        rows.append(
            {
                "id": cmo.id,
                "code": cmo.code,
                "area": cmo.area,
                "status": cmo.status,
                "confidence": cmo.confidence,
                "context": cmo.context,
                "intervention": cmo.intervention,
                "mechanism_resource": cmo.mechanism_resource,
                "mechanism_reasoning": cmo.mechanism_reasoning,
                "outcome": cmo.outcome,
                "for_whom": cmo.for_whom,
                "evidence": cmo.evidence,
                "notes": cmo.notes,
                "explains": explains,
                "leads_to": [project.cmos[c].code for c in cmo.leads_to if c in project.cmos],
                "chains": [
                    [project.cmos[c].code for c in path] for path in chain_paths(project, cmo.id)
                ],
            }
        )
    return rows


def cmd_cmos(args: argparse.Namespace) -> int:
    from ipsmap.model.project import Project

    if args.history:
        return _print_history(args)
    with Project.open(args.project, read_only=True) as project:
        rows = cmos_listing(project, args.status)
    if args.json:
        print(json.dumps({"cmos": rows}, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no CMO configurations")
    for row in rows:
        confidence = "not rated" if row["confidence"] is None else f"{row['confidence']:.2f}"
        print(f"{row['code']}  [{row['status']}, confidence {confidence}]  {row['area'] or '-'}")
        mechanism = " ⇒ ".join(
            m for m in (row["mechanism_resource"], row["mechanism_reasoning"]) if m
        )
        for letter, text in (("C", row["context"]), ("M", mechanism), ("O", row["outcome"])):
            print(f"    {letter}: {text or '-'}")
        if row["explains"]:
            named = [
                f"“{e['label']}” ({e['map']})" if e["label"] else "(deleted item)"
                for e in row["explains"]
            ]
            print(f"    explains: {'; '.join(named)}")
        if row["leads_to"]:
            print(f"    leads to: {', '.join(row['leads_to'])}")
    return 0


def _print_history(args: argparse.Namespace) -> int:
    from ipsmap.model.cmo_queries import cmo_evolution, code_sort_key, evolution_text
    from ipsmap.model.project import Project

    with Project.open(args.project, read_only=True) as project:
        wanted = args.history.strip().casefold()
        found = [c for c in project.cmos.values() if c.code.casefold() == wanted]
        if not found:
            codes = sorted((c.code for c in project.cmos.values()), key=code_sort_key)
            raise IpsmapError(f"no CMO {args.history!r}; the CMOs are {', '.join(codes) or 'none'}")
        cmo = found[0]
        periods = cmo_evolution(project, cmo.id)
        if args.json:
            data = {
                "id": cmo.id,
                "code": cmo.code,
                "periods": [p.as_json(project) for p in periods],
            }
            print(json.dumps(data, ensure_ascii=False, indent=2))
            return 0
        print(f"{cmo.code}: how it changed")
        print(evolution_text(project, cmo.id))
    return 0


COMMANDS = {"cmos": cmd_cmos}
