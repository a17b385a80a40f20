"""Packaging: the resources ship inside the wheel, the commands run, heavy imports are lazy.

The wheel is built from a copy of the repository (found from this file's location) so the
build leaves no build/ or egg-info behind in the working tree, then installed with
``--no-deps`` into a fresh venv and checked from a folder outside the repository.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = REPO_ROOT / "resources" / "demo"
BIN = "Scripts" if os.name == "nt" else "bin"
EXE = ".exe" if os.name == "nt" else ""


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    kwargs.setdefault("timeout", 300)
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)


# -- the editable install -----------------------------------------------------------------


def test_demo_map_files_are_found_and_parse() -> None:
    from ipsmap.formats import ipsmap_json
    from ipsmap.resources_path import demo_map_files, resource

    files = demo_map_files()
    names = [f.name for f in files]
    assert len(files) >= 3, f"expected at least 3 demo maps, found {names}"
    assert all(name.endswith(".json") for name in names)
    assert names == sorted(names)
    assert resource("demo").is_dir()
    for source in files:
        data = ipsmap_json.loads(source.read_text(encoding="utf-8"), source.name)
        assert data.info.name.strip(), source.name
        assert data.factors, f"{source.name} has no factors"


def test_missing_resource_is_a_clear_error() -> None:
    from ipsmap.resources_path import resource

    with pytest.raises(FileNotFoundError, match=r"no-such-file\.qss"):
        resource("no-such-file.qss")


def _console_script() -> Path:
    scripts = Path(sysconfig.get_path("scripts"))
    found = shutil.which("ipsmap", path=str(scripts)) or shutil.which(
        "ipsmap", path=str(Path(sys.executable).parent)
    )
    assert found, f"no ipsmap console script in {scripts} or next to {sys.executable}"
    return Path(found)


def test_python_m_ipsmap_help(tmp_path: Path) -> None:
    # Run from an empty folder: beside the clone a folder named ipsmap (the clone itself)
    # would shadow the package on `python -m`/`-c`'s path.
    result = _run([sys.executable, "-m", "ipsmap", "--help"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: ipsmap")
    for command in ("new", "maps", "import", "export", "history"):
        assert command in result.stdout
    assert result.stderr == ""


def test_console_script_help_and_version(tmp_path: Path) -> None:
    script = _console_script()
    result = _run([str(script), "--help"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: ipsmap")
    from ipsmap import __version__

    result = _run([str(script), "--version"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # The version first, then the build ("source" outside a built app) and the schema.
    lines = result.stdout.splitlines()
    assert lines[0] == f"ipsmap {__version__}"
    assert lines[1] == "build: source"
    assert lines[2].startswith("project file format (schema): ")


# -- heavy libraries are imported lazily ---------------------------------------------------

HEAVY = ("PySide6", "pandas", "reportlab", "pyvis")
LIGHT_MODULES = [
    "ipsmap.model",
    "ipsmap.formats",
    "ipsmap.formats.registry",
    "ipsmap.formats.interchange",
    "ipsmap.export.all_formats",
    "ipsmap.model.project",
    "ipsmap.cli",
    "ipsmap.analysis",
    "ipsmap.export",
    "ipsmap.live.host",
    "ipsmap.live.client",
]

_IMPORT_CHECK = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
if "ipsmap.cli" in sys.argv[1:]:
    import ipsmap.cli
    ipsmap.cli.build_parser()  # what every command, even --help, does
heavy = {heavy!r}
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy)))
"""


@pytest.mark.parametrize("module", [*LIGHT_MODULES, "all"])
def test_light_modules_load_no_heavy_library(module: str, tmp_path: Path) -> None:
    modules = LIGHT_MODULES if module == "all" else [module]
    code = _IMPORT_CHECK.format(heavy=HEAVY)
    result = _run([sys.executable, "-c", code, *modules], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    packages = sorted({m.split(".")[0] for m in loaded})
    assert "PySide6" not in packages, f"importing {module} loads Qt: {loaded[:10]}"
    assert packages == [], f"importing {module} loads heavy libraries: {packages}"


# -- the wheel ---------------------------------------------------------------------------


def _missing_build_requirements() -> list[str]:
    from packaging.requirements import Requirement

    requires = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    missing = []
    for text in requires:
        requirement = Requirement(text)
        try:
            version = importlib.metadata.version(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(text)
            continue
        if not requirement.specifier.contains(version, prereleases=True):
            missing.append(text)
    return missing


_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    ".mypy_cache",
    ".ruff_cache",
    "tests",
    "bench",
    "*.ipsmap",
    "*.ipsmap-wal",
    "*.ipsmap-shm",
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    missing = _missing_build_requirements()
    if missing:
        # --no-isolation builds with what is installed here, as pyproject.toml asks.
        install = _run([sys.executable, "-m", "pip", "install", *missing], timeout=600)
        assert install.returncode == 0, f"cannot install {missing}:\n{install.stderr}"
        assert _missing_build_requirements() == []
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "src"
    shutil.copytree(REPO_ROOT, source, ignore=_IGNORE)
    out = tmp / "dist"
    result = _run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(source),
        ],
        cwd=tmp,
    )
    assert result.returncode == 0, f"wheel build failed:\n{result.stdout}\n{result.stderr}"
    wheels = list(out.glob("ipsmap-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def wheel_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("venv") / "venv"
    result = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    assert result.returncode == 0, result.stderr
    python = venv / BIN / f"python{EXE}"
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    result = _run([*pip, "install", "--no-deps", "--no-index", "--no-cache-dir", str(wheel)])
    assert result.returncode == 0, f"pip install of the wheel failed:\n{result.stderr}"
    return venv


def _demo_names_in_repo() -> list[str]:
    return sorted(p.name for p in DEMO_DIR.glob("*.json"))


def test_wheel_contains_every_module_of_the_source_tree(wheel: Path) -> None:
    # The package list in pyproject.toml is explicit (resources/ is mapped in), so a new
    # subpackage missing from it would silently vanish from installs.
    source = {
        p.relative_to(REPO_ROOT).as_posix()
        for p in (REPO_ROOT / "ipsmap").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    with zipfile.ZipFile(wheel) as archive:
        missing = source - set(archive.namelist())
    assert not missing, f"not in the wheel: {sorted(missing)}"


def test_wheel_contains_the_demo_maps(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        demo = sorted(
            n.rsplit("/", 1)[1]
            for n in names
            if n.startswith("ipsmap/resources/demo/") and n.endswith(".json")
        )
        assert len(demo) >= 3, f"the wheel holds {demo}"
        assert demo == _demo_names_in_repo()
        for name in demo:
            text = archive.read(f"ipsmap/resources/demo/{name}").decode("utf-8")
            assert (REPO_ROOT / "resources" / "demo" / name).read_text(encoding="utf-8") == text
        assert "ipsmap/resources_path.py" in names
        assert "ipsmap/resources/__init__.py" in names
        # Help → About's licence list and the window's icon.
        assert "ipsmap/resources/licences/licences.json" in names
        assert "ipsmap/resources/icons/ipsmap.svg" in names
        assert not [n for n in names if n.startswith(("tests/", "bench/", "resources/"))]
        [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        assert "ipsmap = ipsmap.cli:main" in archive.read(entry_points).decode()


_RESOURCE_PROBE = """
import importlib.util, json, sys
import ipsmap.resources_path as rp
files = rp.demo_map_files()
outside = sorted(
    m for m in sys.modules
    if m.split(".")[0] not in (*sys.stdlib_module_names, "ipsmap", "__main__")
)
maps = {f.name: json.loads(f.read_text(encoding="utf-8")).get("format") for f in files}
print(json.dumps({
    "module": rp.__file__,
    "demo_dir": str(rp.resource("demo")),
    "demo": [f.name for f in files],
    "formats": maps,
    "non_stdlib_modules": outside,
    "sqlite_utils_installed": importlib.util.find_spec("sqlite_utils") is not None,
}))
"""


def test_installed_wheel_finds_its_resources(wheel_venv: Path, tmp_path: Path) -> None:
    python = wheel_venv / BIN / f"python{EXE}"
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    result = _run([str(python), "-c", _RESOURCE_PROBE], cwd=work, env=env)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    venv = wheel_venv.resolve()
    # Found in the installed wheel, not in the repository.
    assert Path(probe["module"]).resolve().is_relative_to(venv), probe["module"]
    assert Path(probe["demo_dir"]).resolve().is_relative_to(venv), probe["demo_dir"]
    assert not Path(probe["demo_dir"]).resolve().is_relative_to(REPO_ROOT)
    assert len(probe["demo"]) >= 3, probe["demo"]
    assert probe["demo"] == _demo_names_in_repo()
    assert set(probe["formats"].values()) == {"ipsmap-map"}, probe["formats"]
    # ipsmap.resources_path needs only the standard library (the venv has no dependencies).
    assert probe["sqlite_utils_installed"] is False
    assert probe["non_stdlib_modules"] == [], probe["non_stdlib_modules"]


def test_installed_wheel_has_the_console_script(wheel_venv: Path) -> None:
    script = wheel_venv / BIN / f"ipsmap{EXE}"
    assert script.is_file()
    if os.name != "nt":
        assert os.access(script, os.X_OK)
        assert str(wheel_venv) in script.read_text().splitlines()[0]


def test_the_window_starts_without_the_live_session_libraries(tmp_path: Path) -> None:
    # Hosting a session brings in qasync and the live core (websockets, pycrdt, zeroconf,
    # segno for the QR code); a window that hosts nothing never loads them.
    code = (
        "import json, sys\n"
        "import ipsmap.ui.main_window\n"
        "live = ('qasync', 'websockets', 'pycrdt', 'zeroconf', 'segno', 'cryptography')\n"
        "loaded = {m.split('.')[0] for m in sys.modules} & set(live)\n"
        "loaded |= {m for m in sys.modules if m.startswith('ipsmap.live')}\n"
        "print(json.dumps(sorted(loaded)))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = _run([sys.executable, "-c", code], cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_the_window_starts_without_the_numeric_and_export_libraries(tmp_path: Path) -> None:
    # Start-up time: networkx, numpy, scipy (analysis), pandas, reportlab and pyvis
    # (exports) load when first used, not when the window opens.
    code = (
        "import json, sys\n"
        "import ipsmap.ui.main_window\n"
        "heavy = ('networkx', 'numpy', 'scipy', 'rustworkx', 'pandas', 'reportlab', 'pyvis',\n"
        "         'openpyxl')\n"
        "loaded = {m.split('.')[0] for m in sys.modules} & set(heavy)\n"
        "# every format's module (the exports) loads on the first import or export\n"
        "loaded |= {m for m in sys.modules if m == 'ipsmap.export.all_formats'}\n"
        "print(json.dumps(sorted(loaded)))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = _run([sys.executable, "-c", code], cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
