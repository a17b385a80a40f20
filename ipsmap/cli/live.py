"""``ipsmap host``: share maps of a project in a live session, headless (a spare laptop, a
university server). Prints the address, join code and certificate fingerprint on its first
lines, then who joins and leaves, and runs until interrupted (Ctrl+C, SIGTERM).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import socket
from pathlib import Path
from typing import Any

from ipsmap.model.errors import IpsmapError


def add_parsers(commands: Any) -> None:
    p = commands.add_parser(
        "host",
        help="share maps of a project in a live session on this network (runs until stopped)",
    )
    p.add_argument("project", type=Path)
    p.add_argument(
        "--maps", nargs="+", metavar="MAP", help="maps to share (id or name; default all)"
    )
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: any free)")
    p.add_argument(
        "--interface",
        help="the address of the network interface to listen on (default: this computer's "
        "address on its main network, else 127.0.0.1)",
    )
    p.add_argument(
        "--phone-port", type=int, default=0, help="port of the phone page (default: any free)"
    )
    p.add_argument(
        "--phones-may",
        type=_phones_may,
        metavar="LIST",
        help="what phones may do this session, comma-separated: see (the map), suggest "
        "(factors and links), mark (and vote), comment, place (their ideas go straight "
        "onto the map); or none (default: see,suggest,mark,comment; a resumed session "
        "keeps its own)",
    )
    p.add_argument("--code", help="the join code for editors (default: a new one)")
    p.add_argument("--viewer-code", help="a second code that joins as a viewer only")
    p.add_argument("--cert", type=Path, help="a TLS certificate (PEM) instead of a new one")
    p.add_argument("--key", type=Path, help="the certificate's private key (PEM)")
    p.add_argument("--session", help="the workshop session edits are recorded in (id or title)")
    p.add_argument(
        "--new-code",
        action="store_true",
        help="start a new session (new code and certificate) instead of resuming the one "
        "a crashed or killed host left",
    )


def cmd_host(args: argparse.Namespace) -> int:
    from ipsmap.live.host import LiveHost
    from ipsmap.model.project import Project

    if (args.cert is None) != (args.key is None):
        raise IpsmapError("give both --cert and --key, or neither")
    if not 0 <= args.port <= 65535:
        raise IpsmapError("--port must be from 0 to 65535")
    if not 0 <= args.phone_port <= 65535:
        raise IpsmapError("--phone-port must be from 0 to 65535")
    interface = args.interface or _main_address()
    with Project.open(args.project) as project:
        kept = _kept_session(project, args, interface)
        code, viewer_code, certificate = _credentials(args, kept, interface)
        map_ids = (
            [project.find_map(m).id for m in args.maps]
            if args.maps
            else [m.id for m in project.maps()]
        )
        session_id = _session_id(project, args.session)
        port = args.port or (kept.port if kept else 0)
        phone_port = args.phone_port or (kept.phone_port if kept and kept.phone_port else 0)
        host = LiveHost(
            project,
            map_ids,
            certificate=certificate,
            code=code,
            viewer_code=viewer_code,
            interface=interface,
            port=port,
            session_id=session_id,
            say=_say,
            removed_devices=set(kept.removed_devices) if kept else None,
            phone_port=phone_port,
            phone_switches=args.phones_may,
            kept_phones=kept_session_phones(kept),
        )
        try:
            asyncio.run(_serve(host, code, viewer_code, keep=args.cert is None, kept=kept))
        except OSError as exc:
            hint = " (the resumed session's port is taken: add --new-code)" if kept else ""
            raise IpsmapError(
                f"cannot listen on {interface}:{port} ({exc.strerror or exc}){hint}"
            ) from exc
    return 0


def _phones_may(text: str) -> Any:
    """``--phones-may``'s value, or argparse's one-line error (exit 2)."""
    from ipsmap.live.phone_switches import SwitchesError, parse_may

    try:
        return parse_may(text)
    except SwitchesError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def kept_session_phones(kept: Any) -> Any:
    from ipsmap.live import kept_session

    return kept_session.phones_from(kept)


def _kept_session(project: Any, args: argparse.Namespace, interface: str) -> Any:
    """The session a crashed or killed host left for this project, to resume (None: start a
    new one). A certificate of one's own (--cert) is never copied, so nothing is resumed."""
    from ipsmap.live import kept_session

    if args.new_code:
        kept_session.forget(project)
        return None
    if args.cert is not None:
        return None
    try:
        kept = kept_session.load(project)
    except kept_session.KeptSessionError as exc:
        _say(f"note: {exc}; starting a new session")
        return None
    if kept is not None and kept.interface != interface:
        _say(f"note: the interrupted session was on {kept.interface}; starting a new one")
        return None
    return kept


def _credentials(args: argparse.Namespace, kept: Any, interface: str) -> tuple[str, Any, Any]:
    """The editor code, viewer code and certificate: as given, else resumed, else new."""
    from ipsmap.live.security import (
        SecurityError,
        load_certificate,
        make_certificate,
        new_join_code,
        normalise_code,
    )

    try:
        code = normalise_code(args.code or (kept.code if kept else new_join_code()))
        viewer = args.viewer_code or (kept.viewer_code if kept else None)
        viewer_code = normalise_code(viewer) if viewer else None
        if args.cert is not None:
            certificate = load_certificate(args.cert, args.key)
        else:
            certificate = kept.certificate if kept else make_certificate(interface)
    except SecurityError as exc:
        raise IpsmapError(str(exc)) from exc
    return code, viewer_code, certificate


async def _serve(host: Any, code: str, viewer_code: str | None, *, keep: bool, kept: Any) -> None:
    """Serve until a signal; the session is kept meanwhile (so a killed host resumes it)
    and forgotten when stopped on purpose."""
    from ipsmap.live import kept_session, loop_lag

    stop = asyncio.Event()
    lag = loop_lag.LoopLag() if loop_lag.wanted() else None  # bench/bench_phones.py only
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await host.start()
    if lag is not None:
        lag.start()
    try:
        if keep:
            kept_session.save(host.project, kept_session.kept_from(host))
            # A phone joining or removed is kept at once: a crash a minute later resumes it.
            host.on_kept_change = lambda: kept_session.save(
                host.project, kept_session.kept_from(host)
            )
        if kept is not None:
            _say("resumed: the interrupted session (same code, certificate and address)")
        _say(f"address: {host.address}")
        _say(f"code: {code[:4]}-{code[4:]}")
        _say(f"fingerprint: {host.fingerprint}")
        if host.phone_url:
            _say(f"phones: {host.phone_url}")
            _say(f"phones may: {_may_line(host.phones.desk.switches)}")
        if viewer_code:
            _say(f"viewer code: {viewer_code[:4]}-{viewer_code[4:]}")
        names = [host.project.map_info(m).name for m in host.session.map_ids]
        _say(f"maps: {', '.join(names)}")
        await stop.wait()
        if keep:
            kept_session.forget(host.project)
    finally:
        if lag is not None:
            _say(lag.line())
        await host.stop()
        _say("stopped")


def _may_line(switches: Any) -> str:
    from ipsmap.live.phone_switches import KINDS

    return ", ".join(k for k in KINDS if switches.allows(k)) or "nothing (only join)"


def _session_id(project: Any, ref: str | None) -> str | None:
    if ref is None:
        return None
    for session in project.sessions.values():
        if ref in (session.id, session.title):
            return str(session.id)
    raise IpsmapError(f"no session {ref!r} in {project.path.name}")


def _main_address() -> str:
    """This computer's address on the network its default route uses (no packet is sent:
    connecting a UDP socket only picks the interface)."""
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("10.255.255.255", 1))
        return str(probe.getsockname()[0])
    return "127.0.0.1"


def _say(line: str) -> None:
    print(line, flush=True)


COMMANDS = {"host": cmd_host}
