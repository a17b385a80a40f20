"""packaging/linux/install.sh: the desktop entry, MIME type and icons go into a temporary
XDG_DATA_HOME, and xdg-mime then names ipsmap.desktop the default for *.ipsmap."""

from __future__ import annotations

import importlib.util
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("xdg-mime", "update-mime-database")),
    reason="needs Debian's xdg-utils and shared-mime-info (.ci/run installs them)",
)


def _build_module():
    spec = importlib.util.spec_from_file_location("ipsmap_build", REPO_ROOT / "packaging/build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def app(tmp_path: Path, qapp) -> Path:
    """An app folder laid out as build.py leaves it, with a path that needs quoting."""
    folder = tmp_path / "my apps" / "ipsmap"
    folder.mkdir(parents=True)
    program = folder / "ipsmap"
    # Stands for the frozen program: install.sh only checks that it is there and runs.
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    _build_module().add_linux_integration(folder)
    return folder


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_DIRS="/usr/share",
        XDG_CURRENT_DESKTOP="",
    )
    return env


def test_install_makes_ipsmap_the_default_for_projects(app: Path, tmp_path: Path) -> None:
    env = _env(tmp_path)
    result = subprocess.run(
        ["sh", str(app / "linux" / "install.sh")], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    data = tmp_path / "data"
    entry = (data / "applications" / "ipsmap.desktop").read_text()
    assert f'Exec="{app / "ipsmap"}" %f' in entry
    assert "MimeType=application/x-ipsmap;" in entry
    assert (data / "mime" / "packages" / "ipsmap.xml").is_file()
    # update-mime-database built the cache with our glob.
    assert "application/x-ipsmap:*.ipsmap" in (data / "mime" / "globs2").read_text()
    for size in (16, 48, 256, 512):
        icon = data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "ipsmap.png"
        assert icon.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    query = subprocess.run(
        ["xdg-mime", "query", "default", "application/x-ipsmap"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert query.stdout.strip() == "ipsmap.desktop", query.stderr
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(data / "applications" / "ipsmap.desktop")],
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, check.stdout + check.stderr

    removed = subprocess.run(
        ["sh", str(app / "linux" / "install.sh"), "--uninstall"], env=env, capture_output=True
    )
    assert removed.returncode == 0
    assert not (data / "applications" / "ipsmap.desktop").exists()
    assert "x-ipsmap" not in (data / "mime" / "globs2").read_text()


def test_icons_are_drawn_at_their_sizes(app: Path) -> None:
    from PySide6.QtGui import QImage

    for size in (16, 22, 24, 32, 48, 64, 128, 256, 512):
        image = QImage(str(app / "linux" / "icons" / f"{size}x{size}" / "ipsmap.png"))
        assert (image.width(), image.height()) == (size, size)
        # Drawn, not blank: the centre is opaque.
        assert image.pixelColor(size // 2, size // 2).alpha() == 255


def test_install_refuses_without_the_program(tmp_path: Path, qapp) -> None:
    folder = tmp_path / "ipsmap"
    folder.mkdir()
    _build_module().add_linux_integration(folder)
    result = subprocess.run(
        ["sh", str(folder / "linux" / "install.sh")],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "no ipsmap program" in result.stderr
    assert not (tmp_path / "data" / "applications").exists()
