"""The wheel carries the theme files, and an installed wheel finds them as a resource."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from synctui import theming

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(REPO),
            "-w",
            str(out),
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (built,) = out.glob("synctui-*.whl")
    return built


def test_wheel_contains_the_theme_files(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(n for n in names if n.startswith("synctui/themes/"))
    expected = sorted(f"synctui/themes/{p.name}" for p in (REPO / "themes").iterdir())
    assert shipped == expected
    for name in theming.BUILTIN_THEME_NAMES:
        assert f"synctui/themes/{name}.toml" in names
    assert "synctui/themes/README.md" in names
    assert "synctui/theming/__init__.py" in names and "synctui/settings.py" in names


def test_wheel_contains_the_served_page(wheel: Path) -> None:
    """`synctui serve` reads its page template from the package."""
    assert "synctui/web/templates/app_index.html" in zipfile.ZipFile(wheel).namelist()


def test_installed_wheel_finds_its_themes(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    code = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(target)!r})\n"
        "from synctui import theming\n"
        "print(json.dumps({'module': theming.__file__,\n"
        "  'folder': str(theming.builtin_themes_dir()),\n"
        "  'names': [s.name for s in theming.builtin_themes()],\n"
        "  'problems': theming.builtin_problems()}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=tmp_path,
    )
    found = json.loads(result.stdout)
    assert found["module"].startswith(str(target)), "imported the wheel, not the checkout"
    assert found["folder"] == str(target / "synctui" / "themes")
    assert set(theming.BUILTIN_THEME_NAMES) <= set(found["names"])
    assert found["problems"] == []


def test_editable_install_reads_the_repository_folder() -> None:
    assert Path(str(theming.builtin_themes_dir())) == REPO / "themes"
