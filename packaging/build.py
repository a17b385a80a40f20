"""Build the ipsmap app with PyInstaller: ``python packaging/build.py``.

Writes the one-folder app to ``dist/ipsmap/`` (the program is ``dist/ipsmap/ipsmap``, or
``ipsmap.exe``; on macOS also ``dist/ipsmap.app``), then prints its size by part.

Run it with the Python that has ipsmap's dependencies and the ``app`` extra installed
(``pip install -e ".[app]"``). The recipe itself is ``packaging/ipsmap.spec``; this script
prepares what the recipe reads:

- a staged copy of the source as the wheel lays it out (``ipsmap/`` with ``resources/``
  inside as ``ipsmap/resources``), so PyInstaller finds every module on a plain path
  whether ipsmap is installed editable or not;
- ``build_info.json``: the commit and its date (what ``ipsmap --version`` calls the build);
- the PDF's fonts (DejaVu Sans, from the system) and the app icon, made from the SVG in
  ``resources/icons`` with Qt (``.png``; ``.ico``/``.icns`` on Windows/macOS).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SPEC = REPO / "packaging" / "ipsmap.spec"
# Where the PDF's fonts are found on Debian/Ubuntu (fonts-dejavu-core) and Fedora.
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
FONT_NAMES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE")


def git_build() -> dict[str, str]:
    """The commit and its date, or "unknown" when not built from a git checkout."""
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO), "log", "-1", "--format=%h %cI"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return {"commit": "unknown", "date": datetime.now(UTC).date().isoformat()}
    commit, date = out[0], out[1][:10]
    return {"commit": commit + ("-modified" if dirty else ""), "date": date}


def stage_source(stage: Path) -> None:
    """Copy ipsmap/ and resources/ (as ipsmap/resources) into ``stage``."""
    if stage.exists():
        shutil.rmtree(stage)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "ipsmap", stage / "ipsmap", ignore=ignore)
    shutil.copytree(REPO / "resources", stage / "ipsmap" / "resources", ignore=ignore)


def find_fonts() -> list[Path]:
    for folder in FONT_DIRS:
        found = [Path(folder) / name for name in FONT_NAMES]
        if all(f.is_file() for f in found[:2]):
            return [f for f in found if f.is_file()]
    return []


def make_icon(work: Path) -> Path:
    """The app icon as a 256 px PNG."""
    from ipsmap.ui.app_icon import write_icon_png

    # PyInstaller turns a PNG into the .ico/.icns Windows and macOS want when Pillow is
    # installed (the CI workflow installs it there); Linux ignores the program's icon.
    return write_icon_png(work / "ipsmap.png", 256)


def strip_libraries(app: Path) -> int:
    """Strip symbols from the app's shared libraries on Linux; return the bytes saved.

    Symbols are of no use to the people running the app (libpython alone carries ~17 MB
    of debug information). Left alone: the program (its archive is appended to it) and the
    libraries auditwheel vendored into ``*.libs`` folders (patchelf's layout does not
    survive strip: numpy's OpenBLAS then fails to load).
    """
    if not sys.platform.startswith("linux") or shutil.which("strip") is None:
        return 0
    before = folder_size(app)
    for path in sorted(app.rglob("*.so*")):
        if path.is_symlink() or not path.is_file():
            continue
        if any(part.endswith(".libs") for part in path.parts):
            continue
        with path.open("rb") as handle:
            if handle.read(4) != b"\x7fELF":
                continue
        subprocess.run(["strip", "--strip-unneeded", str(path)], check=True)
    return before - folder_size(app)


def add_linux_integration(app: Path) -> Path:
    """Put packaging/linux (desktop entry, file types, install.sh) and the hicolor icons
    into ``app/linux``, for ``linux/install.sh`` to install from the unpacked app."""
    from ipsmap.ui.app_icon import ICON_SIZES, write_icon_png

    target = app / "linux"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(REPO / "packaging" / "linux", target)
    for size in ICON_SIZES:
        folder = target / "icons" / f"{size}x{size}"
        folder.mkdir(parents=True)
        write_icon_png(folder / "ipsmap.png", size)
    return target


def link_duplicates(app: Path, smallest: int = 100_000) -> int:
    """Replace each repeated file in the app by a relative link to its first copy.

    numpy and scipy each vendor the same libgfortran and libquadmath (~3 MB); the loader
    follows the link and gets the very same library. Not on Windows (no plain links).
    Returns the bytes saved.
    """
    if os.name == "nt":
        return 0
    import hashlib

    first: dict[tuple[int, str], Path] = {}
    saved = 0
    for path in sorted(app.rglob("*")):
        if path.is_symlink() or not path.is_file() or path.stat().st_size < smallest:
            continue
        key = (path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest())
        if key not in first:
            first[key] = path
            continue
        target = os.path.relpath(first[key], path.parent)
        path.unlink()
        path.symlink_to(target)
        saved += key[0]
    return saved


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def size_report(app: Path, top: int = 15) -> str:
    """The app's total size and its biggest parts (two levels down in _internal)."""
    internal = app / "_internal" if (app / "_internal").is_dir() else app
    parts: list[tuple[int, str]] = []
    for entry in internal.iterdir():
        if entry.is_symlink():  # PyInstaller's links to libraries counted where they are
            continue
        if entry.is_dir() and entry.name in ("PySide6", "scipy", "pandas", "numpy"):
            for sub in entry.iterdir():
                if not sub.is_symlink():
                    size = folder_size(sub) if sub.is_dir() else sub.stat().st_size
                    parts.append((size, f"{entry.name}/{sub.name}"))
            continue
        size = folder_size(entry) if entry.is_dir() else entry.stat().st_size
        parts.append((size, entry.name))
    parts.sort(reverse=True)
    lines = [f"app size: {folder_size(app) / 1e6:.1f} MB ({app})"]
    lines += [f"  {size / 1e6:7.1f} MB  {name}" for size, name in parts[:top]]
    return "\n".join(lines)


def build(dist: Path, work: Path) -> Path:
    import PyInstaller.__main__

    from ipsmap import __version__

    work.mkdir(parents=True, exist_ok=True)
    stage = work / "stage"
    stage_source(stage)
    info = {"version": __version__, **git_build()}
    info_file = work / "build_info.json"
    info_file.write_text(json.dumps(info), encoding="utf-8")
    fonts = find_fonts()
    if not fonts:
        print("build: warning: DejaVu Sans not found; the app's PDFs use the system's fonts")
    icon = make_icon(work)
    os.environ.update(
        IPSMAP_STAGE=str(stage),
        IPSMAP_BUILD_INFO=str(info_file),
        IPSMAP_FONTS=os.pathsep.join(str(f) for f in fonts),
        IPSMAP_ICON=str(icon) if icon else "",
        IPSMAP_VERSION=__version__,
    )
    PyInstaller.__main__.run(
        [
            str(SPEC),
            "--noconfirm",
            "--clean",
            "--log-level=WARN",
            f"--distpath={dist}",
            f"--workpath={work / 'pyinstaller'}",
        ]
    )
    app = dist / "ipsmap"
    if sys.platform.startswith("linux"):
        add_linux_integration(app)
    saved = strip_libraries(app)
    if saved:
        print(f"build: stripped {saved / 1e6:.1f} MB of symbols")
    linked = link_duplicates(app)
    if linked:
        print(f"build: {linked / 1e6:.1f} MB of repeated files made links")
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=REPO / "dist", help="where the app goes")
    parser.add_argument("--work", type=Path, default=REPO / "build" / "app", help="scratch")
    args = parser.parse_args(argv)
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        print('build: error: PyInstaller is not installed (pip install -e ".[app]")')
        return 2
    started = time.perf_counter()
    app = build(args.dist.resolve(), args.work.resolve())
    print(f"build: {app} in {time.perf_counter() - started:.0f} s")
    print(size_report(app))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
