"""The command palette: this screen's own actions first, synctui's themes only, and the `:`
line completes theme names."""

from __future__ import annotations

from typing import Any

from textual.command import CommandInput, CommandList, CommandPalette
from textual.theme import BUILTIN_THEMES

from synctui.sandbox.server import Sandbox
from synctui.ui.editing.editor_screen import EditorScreen
from tests.ui.conftest import make_app, settle
from tests.ui_editing.conftest import edit_session, open_editor

STOCK = set(BUILTIN_THEMES)


async def options(pilot: Any) -> list[str]:
    """The palette's list once every provider finished (titles only, first line)."""
    await settle(pilot)
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    found = palette.query_one(CommandList)
    return [
        str(found.get_option_at_index(i).prompt).split("\n", 1)[0]
        for i in range(found.option_count)
    ]


async def type_query(pilot: Any, text: str) -> list[str]:
    palette = pilot.app.screen
    palette.query_one(CommandInput).value = ""
    await pilot.press(*text)
    return await options(pilot)


async def test_in_the_editor_its_own_actions_come_first_and_are_found(sandbox: Sandbox) -> None:
    app = make_app(edit_session(sandbox), initial_account="signalsmith-acme")
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(pilot, app, "signalsmith-acme")
        assert isinstance(editor, EditorScreen)
        await pilot.press("ctrl+p")
        listed = await options(pilot)
        first = listed[:4]
        assert {"Save…", "Form/JSON", "Discard draft", "Back (keeps draft)"} <= set(first), listed
        assert not any(title.startswith("Move cursor") for title in listed), listed
        assert listed[-1] == "Quit"

        assert (await type_query(pilot, "save"))[0] == "Save…"
        assert (await type_query(pilot, "discard"))[0] == "Discard draft"


async def test_on_the_main_screen_its_actions_come_before_the_tables_keys(
    sandbox: Sandbox,
) -> None:
    app = make_app(edit_session(sandbox))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        listed = await options(pilot)
        assert listed[:4] == ["Filter", "Sort", "Reverse", "Refresh"], listed
        assert "Open" in listed  # the table's own shown key
        assert not {"Up", "Down", "Page up", "Scroll left"} & set(listed), listed


async def test_only_synctuis_and_the_users_themes_are_offered(sandbox: Sandbox) -> None:
    app = make_app(edit_session(sandbox))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.own_themes[0] == "synctui-dark"
        assert not set(app.own_themes) & STOCK
        await pilot.press("ctrl+p")
        listed = await type_query(pilot, "theme")
        themes = [t.removeprefix("Theme: ") for t in listed if t.startswith("Theme: ")]
        assert set(themes) == set(app.own_themes)
        assert not any(stock in title for title in listed for stock in STOCK), listed

        await pilot.press("escape")
        app.search_themes()  # "Change theme…"
        picker = await options(pilot)
        assert set(picker) == set(app.own_themes)


async def test_theme_names_complete_on_the_command_line(sandbox: Sandbox) -> None:
    app = make_app(edit_session(sandbox))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"theme synctui-l")
        await pilot.pause()
        await pilot.press("tab")
        bar = app.main.query_one("#command")
        assert bar.value == "theme synctui-light"
        await pilot.press("enter")
        await settle(pilot)
        assert app.theme == "synctui-light"
