"""`[keymap]` in settings.toml: binding ids mapped to your own keys, applied to Textual's keymap."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from synctui.sandbox.server import Sandbox
from synctui.settings import SettingsError, load_settings, set_default_theme
from synctui.store.paths import settings_file
from synctui.ui.keymap import HINT, binding_ids, main, unknown_ids
from synctui.ui.screens.accounts_screen import AccountsScreen
from synctui.ui.screens.call_log_screen import CallLogScreen
from synctui.ui.screens.main_screen import MainScreen
from tests.ui.conftest import make_app, sandbox_session, settle

README = Path(__file__).resolve().parents[2] / "README.md"
SPECKLE = "speckle-demo"


def write_settings(text: str) -> Path:
    path = settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


async def test_remapped_keys_work_and_the_old_ones_are_gone(sandbox: Sandbox) -> None:
    write_settings('[keymap]\n"app.call-log" = "ctrl+l"\nmain.accounts = "f2"\n')
    app = make_app(sandbox_session(sandbox), initial_account=SPECKLE, settings=load_settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("at")  # the default key of app.call-log no longer opens it
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, CallLogScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("a")  # a screen's binding, remapped the same way
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, AccountsScreen)
        assert not [n for n in app._notifications if n.title == "Keymap"]


async def test_an_id_no_binding_has_is_reported(sandbox: Sandbox) -> None:
    write_settings('[keymap]\n"app.qiut" = "ctrl+q"\n"app.help" = "f1"\n')
    app = make_app(sandbox_session(sandbox), initial_account=SPECKLE, settings=load_settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        messages = [n.message for n in app._notifications if n.title == "Keymap"]
        assert messages == [f"settings.toml [keymap]: no binding has the id app.qiut ({HINT})"]


def test_dotted_and_quoted_ids_are_the_same_binding() -> None:
    write_settings('[keymap]\n"app.quit" = "ctrl+q"\nmain.edit = "f4,e"\n')
    assert load_settings().keymap == {"app.quit": "ctrl+q", "main.edit": "f4,e"}


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ('[keymap]\n"app.quit" = 3\n', 2, "keymap: app.quit must be keys as text"),
        ('version = 1\n[keymap]\nmain.edit = ""\n', 3, "keymap: main.edit must be keys as text"),
        ('[keymap]\n"app.quit" = "ctrl q"\n', 2, "not 'ctrl q'"),
        ('[keymap]\n"app.quit" = "q,"\n', 2, "not 'q,'"),
        ("keymap = 3\n", 1, "keymap must be a table"),
    ],
)
def test_a_bad_keymap_names_file_and_line(text: str, line: int, expected: str) -> None:
    path = write_settings(text)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert f"{path}, line {line}:" in str(caught.value)
    assert expected in str(caught.value)


def test_the_keymap_survives_a_saved_theme() -> None:
    write_settings('[keymap]\n"app.call-log" = "ctrl+l"\nmain.edit = "f4"\n')
    set_default_theme("synctui-light")
    settings = load_settings()
    assert settings.theme == "synctui-light"
    assert settings.keymap == {"app.call-log": "ctrl+l", "main.edit": "f4"}


def test_every_binding_id_is_listed(capsys: pytest.CaptureFixture[str]) -> None:
    ids = binding_ids()
    assert {"app.quit", "app.call-log", "main.edit", "main.accounts"} <= set(ids)
    assert unknown_ids({"app.quit": "q", "no.such-binding": "x"}) == ["no.such-binding"]
    assert main() == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == sorted(ids)


def test_the_readme_example_is_a_keymap_that_loads_and_names_real_bindings() -> None:
    text = README.read_text()
    examples = re.findall(r"```toml\n(.*?)```", text, re.S)
    keymaps = [e for e in examples if "[keymap]" in e]
    assert keymaps, "README shows a [keymap] example"
    for example in keymaps:
        write_settings(example)
        keymap = load_settings().keymap
        assert keymap, example
        assert unknown_ids(keymap) == []
        assert tomllib.loads(example)  # and it is plain TOML
