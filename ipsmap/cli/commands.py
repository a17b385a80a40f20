"""The ``ipsmap`` command line: batch work for evaluators, and the way tests drive the program.

A user mistake (bad argument, missing file, bad project or map file) is one line on stderr
and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sqlite3
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from ipsmap.cli import cmos as cli_cmos
from ipsmap.cli import evaluation as cli_evaluation
from ipsmap.cli import live as cli_live
from ipsmap.cli import people as cli_people
from ipsmap.formats.boundary import DEFAULT_LIMITS
from ipsmap.model.errors import IpsmapError
from ipsmap.model.mapdata import MapData

EXIT_USAGE = 2
# `ipsmap export` shows progress on stderr for maps this big, when stderr is a terminal.
EXPORT_PROGRESS_FROM = 500


class UserError(Exception):
    """A mistake on the command line, reported as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One clear line (plus where to get help) instead of argparse's usage dump.
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


class _VersionAction(argparse.Action):
    """``--version``: the version, the build (commit and date, or "source"), the schema."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        from ipsmap.build_info import version_lines

        print("\n".join(version_lines()))  # on stdout, as argparse's own version action
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ipsmap",
        description="Participatory systems maps and theories of change. With no command, "
        "opens the map window (on the demo project when no PROJECT is given).",
    )
    parser.add_argument(
        "--version", action=_VersionAction, help="show the version, build and file format"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = commands.add_parser("new", help="create an empty project file")
    p.add_argument("project", type=Path, help="the new .ipsmap file")
    p.add_argument("--title", default="", help="the project's title")

    p = commands.add_parser("demo", help="create a project holding the demo maps")
    p.add_argument("project", type=Path, help="the new .ipsmap file")

    p = commands.add_parser("maps", help="list the maps of a project")
    p.add_argument("project", type=Path)
    p.add_argument("--json", action="store_true", help="print JSON")

    from ipsmap.export.all_formats import readable_formats, writable_formats

    p = commands.add_parser("export", help="write one map, snapshot or saved view to a file")
    p.add_argument("project", type=Path)
    p.add_argument("--map", help="the map's id or (unique) name")
    p.add_argument("--snapshot", help="export this snapshot (id or label) instead of the live map")
    p.add_argument("--view", help="export only this saved view (analysis question) of the map")
    p.add_argument("--anonymise", action="store_true", help="name people by stakeholder group only")
    p.add_argument("--format", choices=writable_formats(), help="format (default: from --out)")
    p.add_argument("-o", "--out", required=True, type=Path, help="the file to write")

    p = commands.add_parser("import", help="add the map(s) in a file to a project")
    p.add_argument("project", type=Path)
    p.add_argument("file", type=Path, help="the map file to read")
    p.add_argument("--name", help="name for the new map (default: the name in the file)")
    p.add_argument("--format", choices=readable_formats(), help="format (default: detected)")
    p.add_argument(
        "--nodes",
        type=Path,
        metavar="FACTORS_FILE",
        help="the factors table, when FILE is the links table of a CSV pair",
    )
    p.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="KEY=COLUMN",
        help="use COLUMN of the table for KEY (id, label, type, from, to, polarity, strength…)",
    )
    p.add_argument(
        "--max-factors",
        type=_positive_int,
        default=DEFAULT_LIMITS.max_factors,
        metavar="N",
        help=f"refuse a file with more than N factors (default {DEFAULT_LIMITS.max_factors:,})",
    )
    p.add_argument(
        "--max-links",
        type=_positive_int,
        default=DEFAULT_LIMITS.max_links,
        metavar="N",
        help=f"refuse a file with more than N links (default {DEFAULT_LIMITS.max_links:,})",
    )
    p.add_argument("--json", action="store_true", help="print JSON")

    cli_evaluation.add_parsers(commands)

    p = commands.add_parser("formats", help="list the file formats ipsmap reads and writes")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = commands.add_parser("history", help="show the audit log (who changed what, when)")
    p.add_argument("project", type=Path)
    p.add_argument("--map", help="only this map (id or name)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--ops", action="store_true", help="with --json: include each edit's ops")

    p = commands.add_parser(
        "analyse", help="factor metrics, feedback loops and structure of one map"
    )
    p.add_argument("project", type=Path)
    p.add_argument("--map", required=True, help="the map's id or (unique) name")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--loops-max-length",
        type=_positive_int,
        default=6,
        metavar="L",
        help="longest feedback loop to list (default 6)",
    )
    p.add_argument(
        "--focus",
        nargs="+",
        default=[],
        metavar="FACTOR",
        help="factor ids or labels: loops through them, what they affect and what affects them",
    )

    cli_people.add_parsers(commands)
    cli_cmos.add_parsers(commands)
    cli_live.add_parsers(commands)

    p = commands.add_parser("open", help="open a project in the map window")
    p.add_argument("project", type=Path, nargs="?")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # `ipsmap PROJECT` means `ipsmap open PROJECT`.
    known = set(_COMMANDS)
    shorthand = not args_list or (args_list[0] not in known and not args_list[0].startswith("-"))
    if shorthand:
        args_list = ["open", *args_list]
    args = parser.parse_args(args_list)
    args.shorthand = shorthand
    try:
        return _COMMANDS[args.command](args)
    except (IpsmapError, UserError) as exc:
        print(f"ipsmap: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except sqlite3.Error as exc:
        # Past the open checks (a full disk, a statement the watchdog stopped): one line.
        from ipsmap.model.connection import database_error_message

        print(f"ipsmap: error: {database_error_message(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - replaced for the rest of exit
        return 0


# -- commands ------------------------------------------------------------------------------


def cmd_new(args: argparse.Namespace) -> int:
    from ipsmap.model.project import Project

    with Project.create(args.project, args.title) as project:
        print(f"created {project.path}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from ipsmap.demo import create_demo_project

    with create_demo_project(args.project) as project:
        counts = project.counts()
        print(f"created {project.path} with {len(counts)} demo maps")
    return 0


def cmd_maps(args: argparse.Namespace) -> int:
    from ipsmap.model.project import Project

    with Project.open(args.project, read_only=True) as project:
        counts = project.counts()
        maps = [
            {
                "id": m.id,
                "name": m.name,
                "kind": m.kind,
                "site": m.site,
                "factors": counts.get(m.id, (0, 0))[0],
                "links": counts.get(m.id, (0, 0))[1],
            }
            for m in project.maps()
        ]
    if args.json:
        print(json.dumps({"maps": maps}, ensure_ascii=False, indent=2))
        return 0
    if not maps:
        print("no maps")
    for m in maps:
        print(
            f"{m['id']}  {m['name']}  [{m['kind']}, {m['site'] or 'no site'}]  "
            f"{m['factors']} factors, {m['links']} links"
        )
    return 0


def _draw_canvas(data: MapData, kind: str) -> bytes:
    """PNG/SVG bytes drawn by the map window's canvas, offscreen (no display needed)."""
    # The one use of the ui below the window (a declared import-linter exception): the
    # picture is the canvas's own drawing, and Qt is loaded only when one is written.
    from ipsmap.ui.canvas.image_export import render

    return render(data, kind)


def cmd_export(args: argparse.Namespace) -> int:
    from ipsmap.export.all_formats import write_map
    from ipsmap.export.context import build_context
    from ipsmap.export.interrupts import terminate_as_interrupt
    from ipsmap.model.project import Project

    if not args.out.parent.is_dir():
        raise UserError(f"{args.out}: the folder {args.out.parent} does not exist")
    if args.map is None and args.snapshot is None:
        raise UserError("give the map to export (--map) or a snapshot (--snapshot)")
    with Project.open(args.project, read_only=True) as project:
        data, context = build_context(
            project, args.map, args.snapshot, args.view, anonymise=args.anonymise
        )
    shown = _export_progress(context) if len(data.factors) >= EXPORT_PROGRESS_FROM else None
    # Writers report what a format can't hold as warnings; the user sees them as such.
    try:
        # SIGTERM too stops the export the way Ctrl+C does: temporary files are removed.
        with terminate_as_interrupt(), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fmt = write_map(
                data,
                args.out,
                args.format,
                args.anonymise,
                context=context,
                renderer=_draw_canvas,
            )
    except KeyboardInterrupt:
        # Every writer writes a temporary file and renames it at the end: nothing is left.
        _end_progress(shown)
        print(f"ipsmap: export interrupted; {args.out} was not written", file=sys.stderr)
        raise
    _end_progress(shown)
    for warning in caught:
        print(f"ipsmap: warning: {args.out}: {warning.message}", file=sys.stderr)
    written = [str(args.out)]
    if fmt.name == "csv":
        from ipsmap.export.workbook import csv_paths

        written = [str(p) for p in csv_paths(args.out)]
    what = repr(data.info.name)
    if context.snapshot is not None:
        what += f" (snapshot {context.snapshot.label!r})"
    print(f"wrote {what} to {', '.join(written)} ({fmt.label})")
    return 0


def _export_progress(context: Any) -> list[int] | None:
    """Show the writer's steps on one stderr line, only when stderr is a terminal.

    Returns the length of the line shown (to end it), or None when nothing is shown, so
    pipes, logs and tests get no progress noise.
    """
    if not sys.stderr.isatty():
        return None
    shown = [0]

    def progress(fraction: float, message: str) -> None:
        line = f"{fraction:4.0%} {message}"[:78]
        sys.stderr.write("\r" + line.ljust(shown[0]))
        sys.stderr.flush()
        shown[0] = len(line)

    context.progress = progress
    return shown


def _end_progress(shown: list[int] | None) -> None:
    if shown is not None and shown[0]:
        sys.stderr.write("\r" + " " * shown[0] + "\r")
        sys.stderr.flush()


def cmd_import(args: argparse.Namespace) -> int:
    from ipsmap.analysis.layout import lay_out_unplaced
    from ipsmap.export.all_formats import ReadOptions, read_maps
    from ipsmap.model.project import Project

    columns = {}
    for item in args.column:
        key, sep, column = item.partition("=")
        if not sep or not key.strip() or not column.strip():
            raise UserError(f"--column takes KEY=COLUMN, not {item!r}")
        columns[key.strip().lower()] = column.strip()
    if args.nodes is not None and not args.nodes.exists():
        raise UserError(f"{args.nodes}: no such file")
    # A bigger map needs a bigger file: the file-size limit grows with the counts asked for.
    scale = max(
        args.max_factors / DEFAULT_LIMITS.max_factors, args.max_links / DEFAULT_LIMITS.max_links, 1
    )
    limits = dataclasses.replace(
        DEFAULT_LIMITS,
        max_factors=args.max_factors,
        max_links=args.max_links,
        max_file_bytes=int(DEFAULT_LIMITS.max_file_bytes * scale),
        max_expanded_bytes=int(DEFAULT_LIMITS.max_expanded_bytes * scale),
    )
    options = ReadOptions(nodes=args.nodes, columns=columns, limits=limits)
    # Read and validate the whole file before the project is even opened.
    maps = read_maps(args.file, args.format, options)
    for data in maps:
        lay_out_unplaced(data)  # a file without positions arrives laid out (and says so)
    if args.name and len(maps) > 1:
        raise UserError(f"{args.file} holds {len(maps)} maps; --name applies to one map only")
    imported = []
    with Project.open(args.project) as project:
        for data in maps:
            map_id = project.import_map(data, args.name)
            info = project.map_info(map_id)
            imported.append(
                {
                    "id": map_id,
                    "name": info.name,
                    "factors": len(data.factors),
                    "links": len(data.links),
                }
            )
            for warning in data.warnings:
                print(f"ipsmap: warning: {args.file}: {warning}", file=sys.stderr)
    if args.json:
        print(json.dumps({"maps": imported}, ensure_ascii=False, indent=2))
    else:
        for m in imported:
            print(m["id"])
    return 0


def cmd_formats(args: argparse.Namespace) -> int:
    from ipsmap.export.all_formats import FORMATS

    rows: list[dict[str, Any]] = [
        {
            "name": f.name,
            "label": f.label,
            "suffixes": list(f.suffixes),
            "read": f.read is not None,
            "write": f.write is not None,
        }
        for f in FORMATS.values()
    ]
    if args.json:
        print(json.dumps({"formats": rows}, indent=2))
        return 0
    for row in rows:
        can = (
            "read and write"
            if row["read"] and row["write"]
            else ("read" if row["read"] else "write")
        )
        print(f"{row['name']:<14} {row['label']:<34} {can:<15} {' '.join(row['suffixes'])}")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from ipsmap.model.project import Project

    with Project.open(args.project, read_only=True) as project:
        map_id = project.find_map(args.map).id if args.map else None
        names = {m.id: m.name for m in project.maps()}
        events = project.history(map_id)
    if args.json:
        rows = []
        for e in events:
            row = {
                "seq": e.seq,
                "at": e.at,
                "actor": e.actor,
                "actor_name": e.actor_name,
                # Where the edit came from: the device id, and the workshop session.
                "origin": e.origin,
                "session": e.session_id,
                "map_id": e.map_id,
                "action": e.action,
                "undoes": e.undoes,
                "command": e.command,
                "summary": e.summary,
            }
            if args.ops:
                row["ops"] = e.ops
            rows.append(row)
        print(json.dumps({"events": rows}, ensure_ascii=False, indent=2))
        return 0
    for e in events:
        action = "" if e.action == "do" else f"{e.action.capitalize()}: "
        where = names.get(e.map_id or "", "(deleted map)" if e.map_id else "project")
        who = e.actor_name or "-"
        print(f"{e.seq:>5}  {e.at}  {who:<14}  {where}  {action}{e.command}: {e.summary}")
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def cmd_analyse(args: argparse.Namespace) -> int:
    from ipsmap.analysis.report import analyse_map
    from ipsmap.model.project import Project

    with Project.open(args.project, read_only=True) as project:
        info = project.find_map(args.map)
        state = project.document(info.id).state
        result = analyse_map(state, args.loops_max_length, args.focus)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    _print_analysis(result)
    return 0


def _print_analysis(result: dict) -> None:
    summary, loops = result["summary"], result["loops"]
    print(f"Map: {result['map']['name']}")
    print(
        f"{summary['factors']} factors, {summary['links']} links, density "
        f"{summary['density']:.3f}; {len(summary['drivers'])} drivers (no inputs), "
        f"{len(summary['receivers'])} receivers (no outputs), {len(summary['isolated'])} "
        f"isolated; largest feedback cluster {summary['largest_component_size']} factors"
    )
    print()
    header = f"{'factor':<36} {'in':>3} {'out':>3} {'lever':>6} {'betw':>8} {'pagerank':>8} "
    print(header + f"{'reach':>6} {'trophic':>7} {'micmac':<12} comm")
    ranked = sorted(result["factors"], key=lambda f: -f["betweenness"])
    for f in ranked:
        leverage = "—" if f["leverage"] is None else f"{f['leverage']:.2f}"
        print(
            f"{f['label'][:36]:<36} {f['in_degree']:>3} {f['out_degree']:>3} {leverage:>6} "
            f"{f['betweenness']:>8.1f} {f['pagerank']:>8.4f} {f['reach']:>6.2f} "
            f"{f['trophic_level']:>7.2f} {f['micmac_quadrant']:<12} {f['community']}"
        )
    print()
    state = "complete" if loops["complete"] else f"incomplete ({loops['stopped_because']})"
    print(
        f"Feedback loops up to {loops['max_length']} links: {loops['count']} ({state}); "
        f"{loops['reinforcing']} reinforcing, {loops['balancing']} balancing, "
        f"{loops['unknown']} unknown"
    )
    badge = {"reinforcing": "R", "balancing": "B", "unknown": "?"}
    for loop in loops["items"][:50]:
        print(f"  [{badge[loop['polarity']]}] " + " → ".join(loop["labels"] + loop["labels"][:1]))
    if loops["count"] > 50:
        print(f"  … and {loops['count'] - 50} more (use --json for all)")
    if "focus" in result:
        print()
        print(
            f"Focus affects {len(result['focus']['affects'])} factors and is influenced by "
            f"{len(result['focus']['influenced_by'])}"
        )


def cmd_open(args: argparse.Namespace) -> int:
    if args.project is not None and not args.project.exists():
        # `ipsmap WORD` may also be a mistyped command; `ipsmap open FILE` is only a file.
        hint = " (nor an ipsmap command; see 'ipsmap --help')" if args.shorthand else ""
        raise UserError(f"{args.project}: no such project file{hint}")
    if problem := _no_display():
        raise UserError(problem)
    try:
        from ipsmap.ui.app import run
    except ImportError as exc:
        raise UserError(
            "the map window is not part of this build yet; use the commands listed by "
            "'ipsmap --help'"
        ) from exc
    return run(args.project)


def _no_display() -> str | None:
    """Why the window cannot be shown here, in one line (None: it can).

    Without this, Qt aborts (exit 134) blaming a missing xcb-cursor0 library on a machine
    that simply has no screen (an SSH session, a server, CI).
    """
    if not sys.platform.startswith("linux"):
        return None
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal", "vnc"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "no display to show the map window on (neither DISPLAY nor WAYLAND_DISPLAY is set); "
        "run ipsmap on a desktop, or use the commands listed by 'ipsmap --help'"
    )


_COMMANDS = {
    "new": cmd_new,
    "demo": cmd_demo,
    "maps": cmd_maps,
    "export": cmd_export,
    "import": cmd_import,
    "formats": cmd_formats,
    "history": cmd_history,
    "analyse": cmd_analyse,
    "open": cmd_open,
    **cli_evaluation.COMMANDS,
    **cli_people.COMMANDS,
    **cli_cmos.COMMANDS,
    **cli_live.COMMANDS,
}
