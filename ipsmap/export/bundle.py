"""A snapshot bundle (format ``bundle``): every evaluator export of one map in one zip.

The zip holds report.pdf, map.html, workbook.xlsx, map.ipsmap.json, codebook.qdc, and
``manifest.json`` + ``SHA256SUMS`` (each file's sha256 and size, the snapshot's id,
label and sha256, when it was exported). An evaluator archives the zip; anyone can check
it later with ``sha256sum -c SHA256SUMS``. Written to a temporary file and renamed, so a
failure or a cancel leaves no half-written zip.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ipsmap import __version__
from ipsmap.export.context import ExportContext, with_public_names
from ipsmap.export.files import write_atomically
from ipsmap.export.progress import ExportCancelled, report, scaled
from ipsmap.formats.base import MapFormat
from ipsmap.model.mapdata import MapData

# (file name in the zip, format name, share of the bundle's time), in the order written.
MEMBERS = (
    ("report.pdf", "pdf", 0.62),
    ("map.html", "html", 0.05),
    ("workbook.xlsx", "xlsx", 0.22),  # the analysis is the report's, shared
    ("map.ipsmap.json", "json", 0.03),
    ("codebook.qdc", "qdc", 0.03),
)
MANIFEST_FORMAT = "ipsmap-bundle"
MANIFEST_VERSION = 1
# progress(what, done, total); it may raise ExportCancelled to stop. (The context's
# progress(fraction, message) is called too, with each member's own steps.)
Progress = Callable[[str, int, int], None]
__all__ = ["ExportCancelled", "write_bundle"]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_bundle(
    data: MapData,
    path: str | os.PathLike[str],
    context: ExportContext | None = None,
    progress: Progress | None = None,
) -> None:
    """Write the bundle zip of ``data`` (with the context's provenance) atomically."""
    # Lazily: all_formats imports this module to register the bundle.
    from ipsmap.export.all_formats import get_format

    if context is None:
        context = ExportContext(map_name=data.info.name, site=data.info.site)
    data = with_public_names(data, context)
    total = len(MEMBERS) + 1
    files: list[dict[str, Any]] = []
    start = 0.0
    remove_stale_folders()
    with private_folder() as folder:
        for step, (name, format_name, share) in enumerate(MEMBERS):
            if progress is not None:
                progress(f"Writing {name}", step, total)
            report(context, start, f"Writing {name}")
            # The member's own steps, as its part of the bundle (same analysis cache).
            part = dataclasses.replace(
                context, progress=_named(scaled(context.progress, start, start + share), name)
            )
            start += share
            member = Path(folder) / name
            fmt = get_format(format_name)
            assert fmt.write is not None
            if fmt.takes_context:
                fmt.write(data, member, context=part)
            else:
                fmt.write(data, member)
            files.append(
                {
                    "name": name,
                    "format": format_name,
                    "size": member.stat().st_size,
                    "sha256": sha256_file(member),
                }
            )
        if progress is not None:
            progress("Writing the zip", len(MEMBERS), total)
        report(context, start, "Writing the zip")
        manifest = _manifest(data, context, files)
        sums = "".join(f"{f['sha256']}  {f['name']}\n" for f in files)

        def write_zip(tmp: Path) -> None:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for entry in files:
                    archive.write(Path(folder) / entry["name"], entry["name"])
                archive.writestr(
                    "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
                )
                archive.writestr("SHA256SUMS", sums)

        write_atomically(path, write_zip)
    if progress is not None:
        progress("Done", total, total)


FOLDER_PREFIX = "ipsmap-bundle-"


@contextmanager
def private_folder() -> Iterator[str]:
    """A private (0700) temporary folder named after this process, removed on any exit.

    SIGTERM is turned into an interrupt around exports (``export.interrupts``), so the
    folder goes then too; after a SIGKILL or a power cut, the next bundle export removes
    it (``remove_stale_folders``).
    """
    folder = tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-")
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_stale_folders(parent: str | None = None) -> list[Path]:
    """Remove this user's bundle folders left by processes no longer running."""
    removed: list[Path] = []
    if os.name != "posix":
        # Telling a live process from a dead one by signal 0 is POSIX (on Windows
        # os.kill would end the process).
        return removed
    root = Path(parent or tempfile.gettempdir())
    for folder in root.glob(f"{FOLDER_PREFIX}*-*"):
        pid_text = folder.name[len(FOLDER_PREFIX) :].split("-", 1)[0]
        try:
            if not pid_text.isdigit() or folder.is_symlink() or not folder.is_dir():
                continue
            if folder.stat().st_uid != os.getuid() or _running(int(pid_text)):
                continue
        except OSError:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _named(progress: Any, name: str) -> Any:
    """``progress`` whose messages say which member of the bundle they are about."""
    if progress is None:
        return None
    return lambda fraction, message: progress(fraction, f"{name}: {message}")


def _manifest(data: MapData, context: ExportContext, files: list[dict[str, Any]]) -> dict[str, Any]:
    snap = context.snapshot
    since = context.changes_since
    return {
        "format": MANIFEST_FORMAT,
        "version": MANIFEST_VERSION,
        "exported_at": context.exported_at,
        "exported_by": f"ipsmap {__version__}",
        "project": context.project_title,
        "map": {"id": data.info.id, "name": context.map_name or data.info.name},
        "site": context.site,
        "snapshot": (
            {"id": snap.id, "label": snap.label, "taken_at": snap.taken_at, "sha256": snap.sha256}
            if snap
            else None
        ),
        "view": (
            {"name": context.view.name, "question": context.view.question} if context.view else None
        ),
        "changes_since": (
            {"id": since.id, "label": since.label, "sha256": since.sha256} if since else None
        ),
        "anonymised": context.anonymise,
        "factors": len(data.factors),
        "links": len(data.links),
        "files": files,
    }


FORMATS = [
    MapFormat(
        name="bundle",
        label="Snapshot bundle (zip of report, web page, workbook, JSON, codebook)",
        suffixes=(".zip",),
        read=None,
        write=write_bundle,
        takes_context=True,
    )
]
