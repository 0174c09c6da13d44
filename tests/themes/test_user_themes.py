"""User theme files: clear problems for broken ones, fallbacks, overriding built-ins."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static

from synctui import theming
from synctui.ui.theme import STATUS_VARIABLES, register_themes
from tests.themes.conftest import MINIMAL, write


def _only_problem(folder: Path) -> str:
    loaded = theming.user_themes(folder)
    assert loaded.themes == []
    assert len(loaded.problems) == 1, loaded.problems
    return loaded.problems[0]


def test_no_folder_means_no_themes_and_no_problems() -> None:
    assert theming.user_themes() == theming.LoadedThemes([], [])


def test_bad_toml_names_the_file_and_the_line(themes_dir: Path) -> None:
    write(themes_dir, "ocean.toml", 'name = "ocean"\n[colors]\nprimary = #336699\n')
    problem = _only_problem(themes_dir)
    assert problem.startswith(f"{themes_dir / 'ocean.toml'}: is not valid TOML: ")
    assert "line 3" in problem


def test_bad_colour_names_the_key_and_suggests(themes_dir: Path) -> None:
    write(themes_dir, "ocean.toml", 'name = "ocean"\n[colors]\nprimary = "bluish"\n')
    problem = _only_problem(themes_dir)
    assert problem.endswith(
        "ocean.toml: colors.primary: 'bluish' is not a colour (did you mean 'blue'?)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[colors]\nprimary = "#123456"\n', "the theme has no name"),
        ('name = "ocean"\n', "there is no [colors] table"),
        ('name = "ocean"\n[colors]\naccent = "#123456"\n', "colors.primary is missing"),
        ('name = "my ocean"\n[colors]\nprimary = "#123456"\n', "name: 'my ocean' is not a usable"),
        ('name = "o"\ndark = "yes"\n[colors]\nprimary = "#123"\n', "dark: must be true or false"),
        ('name = "o"\n[colors]\nprimary = "#12345"\n', "colors.primary: '#12345' is not a colour"),
        ('name = "o"\n[colors]\nprimary = 0x123456\n', "colors.primary: 1193046 is not a colour"),
        ('name = "o"\n[colors]\nprimary = "rgb(300, 0, 0)"\n', "rgb() parts go from 0 to 255"),
        (
            'name = "o"\n[colors]\nprimary = "#123"\n[variables]\nstatus-error = "reddish"\n',
            "variables.status-error: 'reddish' is not a colour",
        ),
        (
            'name = "o"\n[colors]\nprimary = "#123"\n[variables]\ntext-muted = "{ }"\n',
            "variables.text-muted:",
        ),
        (
            'name = "o"\n[colors]\nprimary = "#123"\n[variables]\n'
            'block-cursor-text-style = "shouty"\n',
            "is not a text style",
        ),
        ('name = "o"\npalette = "vga"\n[colors]\nprimary = "#123"\n', "palette: 'vga'"),
        ('name = "o"\ntext_alpha = 2\n[colors]\nprimary = "#123"\n', "text_alpha: must be"),
    ],
)
def test_unusable_files_are_reported(themes_dir: Path, text: str, expected: str) -> None:
    write(themes_dir, "ocean.toml", text)
    problem = _only_problem(themes_dir)
    assert "ocean.toml: " in problem
    assert expected in problem


def test_non_utf8_and_unreadable_files(themes_dir: Path) -> None:
    (themes_dir / "latin.toml").write_bytes(b'name = "caf\xe9"\n')
    problem = _only_problem(themes_dir)
    assert "latin.toml: is not UTF-8 text" in problem


def test_load_theme_file_raises_theme_error(tmp_path: Path) -> None:
    path = write(tmp_path, "ocean.toml", 'name = "ocean"\n[colors]\nprimary = "bluish"\n')
    with pytest.raises(theming.ThemeError) as caught:
        theming.load_theme_file(path)
    assert caught.value.problem.startswith("colors.primary: 'bluish' is not a colour")
    assert caught.value.file.endswith("ocean.toml")
    with pytest.raises(theming.ThemeError, match="does not exist"):
        theming.load_theme_file(tmp_path / "nope.toml")


def test_typos_are_warned_about_but_the_theme_still_loads(themes_dir: Path) -> None:
    write(
        themes_dir,
        "ocean.toml",
        'name = "ocean"\ndarkk = true\n[colors]\nprimary = "#336699"\nprimry = "#000"\n'
        '[variables]\nstatus-actve = "#00ff00"\ntext-muted = "#aaaaaa 70%"\n',
    )
    loaded = theming.user_themes(themes_dir)
    assert [t.name for t in loaded.themes] == ["ocean"]
    joined = "\n".join(loaded.problems)
    assert "unknown setting 'darkk' ignored (did you mean 'dark'?)" in joined
    assert "colors.primry is not a theme colour, ignored (did you mean 'primary'?)" in joined
    assert "variables.status-actve is not a synctui variable, ignored" in joined
    assert "did you mean 'status-active'?" in joined
    spec = loaded.themes[0]
    assert "status-actve" not in spec.variables
    assert spec.variables["text-muted"] == "#aaaaaa 70%"


def test_incomplete_theme_inherits_variables_by_darkness(themes_dir: Path) -> None:
    builtins = {s.name: s for s in theming.builtin_themes()}
    write(themes_dir, "night.toml", MINIMAL.format(name="night"))
    write(themes_dir, "day.toml", MINIMAL.format(name="day") + "\n")
    (themes_dir / "day.toml").write_text(
        'name = "day"\ndark = false\n[colors]\nprimary = "#336699"\n'
        '[variables]\nstatus-error = "#aa0000"\n'
    )
    loaded = {t.name: t for t in theming.user_themes(themes_dir).themes}
    night = theming.to_textual(loaded["night"]).variables
    day = theming.to_textual(loaded["day"]).variables
    assert night["status-paused"] == builtins["synctui-dark"].variables["status-paused"]
    assert day["status-paused"] == builtins["synctui-light"].variables["status-paused"]
    assert day["status-error"] == "#aa0000"
    assert set(theming.SYNCTUI_VARIABLES) <= set(night) & set(day)


def test_duplicate_names_keep_the_first_file(themes_dir: Path) -> None:
    write(themes_dir, "a.toml", MINIMAL.format(name="twin"))
    write(themes_dir, "b.toml", MINIMAL.format(name="twin").replace("336699", "993366"))
    write(themes_dir, ".#a.toml", "garbage")  # an editor's lock file is not a theme
    loaded = theming.user_themes(themes_dir)
    assert [t.source.rsplit("/", 1)[-1] for t in loaded.themes] == ["a.toml"]
    assert len(loaded.problems) == 1
    assert "b.toml: theme 'twin' is already defined by" in loaded.problems[0]


def test_a_user_theme_replaces_the_builtin_of_its_name(themes_dir: Path) -> None:
    write(
        themes_dir,
        "my-dark.toml",
        'name = "synctui-dark"\n[colors]\nprimary = "#ff00ff"\n',
    )
    specs, problems = theming.all_themes()
    assert problems == []
    assert specs["synctui-dark"].colors["primary"] == "#ff00ff"
    assert not specs["synctui-dark"].builtin
    assert specs["synctui-light"].builtin


def test_a_broken_user_theme_never_replaces_the_builtin(themes_dir: Path) -> None:
    write(themes_dir, "prod.toml", 'name = "synctui-production"\n[colors]\nprimary = "nope"\n')
    specs, problems = theming.all_themes()
    assert specs["synctui-production"].builtin
    assert len(problems) == 1 and "prod.toml: colors.primary" in problems[0]


class _ThemeApp(App[None]):
    """Real CSS that uses every synctui variable: a theme missing one would not parse."""

    CSS = (
        "\n".join(f"#v-{name} {{ color: ${name}; }}" for name in theming.SYNCTUI_VARIABLES)
        + "\n#banner { background: $banner; color: $banner-text; }"
    )

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(STATUS_VARIABLES)

    def compose(self) -> ComposeResult:
        yield Static("prod", id="banner")
        for name in theming.SYNCTUI_VARIABLES:
            yield Static(name, id=f"v-{name}")


async def test_registered_themes_apply_and_broken_ones_fall_back(themes_dir: Path) -> None:
    write(themes_dir, "ocean.toml", MINIMAL.format(name="ocean"))
    write(themes_dir, "broken.toml", 'name = "broken"\n[colors]\nprimary = "bluish"\n')
    app = _ThemeApp()
    async with app.run_test() as pilot:
        problems = register_themes(app)
        assert len(problems) == 1 and "broken.toml" in problems[0]
        await pilot.pause()
        assert any("broken.toml" in str(n.message) for n in app._notifications)
        names = set(app.available_themes)
        assert set(theming.BUILTIN_THEME_NAMES) | {"ocean"} <= names
        assert "broken" not in names

        choice = theming.choose_theme("broken", None, None, available=app.available_themes)
        assert choice.name == theming.DEFAULT_THEME
        assert choice.problems == [
            "theme 'broken' (from --theme) is not installed; using synctui-dark"
        ]

        banner = app.query_one("#banner")
        for name in [*theming.BUILTIN_THEME_NAMES, "ocean", "textual-light"]:
            app.theme = name
            await pilot.pause()
            expected = app.get_css_variables()["banner"]
            assert banner.styles.background.hex.lower() == expected.lower()[:7], name

        app.theme = theming.PRODUCTION_THEME
        await pilot.pause()
        prod = {s.name: s for s in theming.builtin_themes()}[theming.PRODUCTION_THEME]
        assert banner.styles.background.hex.lower() == prod.variables["banner"]
