"""accounts.toml: validation, the hand-written TOML writer, the store; and the path helpers."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from synctui.store import paths
from synctui.store.accounts import (
    POLYTOMIC_DEFAULT_API_VERSION,
    Account,
    AccountError,
    AccountStore,
    is_loopback_host,
    render_accounts,
    token_env_var,
    validate_account,
)
from synctui.store.toml_document import toml_key, toml_string

WORKSPACE = "5b0f3c1e-8a2d-4c6b-9e7f-0123456789ab"


def speckle(name: str = "prod", **kw) -> Account:
    kw.setdefault("projects", ("p1",))
    return Account(name=name, vendor="speckle", base_url="https://app.speckle.systems", **kw)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- paths --------------------------------------------------------------------------------


def test_paths_follow_xdg_variables(tmp_path: Path) -> None:
    assert paths.config_dir() == tmp_path / "config" / "synctui"
    assert paths.data_dir() == tmp_path / "data" / "synctui"
    assert paths.state_dir() == tmp_path / "state" / "synctui"
    assert paths.accounts_file() == tmp_path / "config" / "synctui" / "accounts.toml"
    assert paths.settings_file() == tmp_path / "config" / "synctui" / "settings.toml"
    assert paths.tokens_file() == tmp_path / "config" / "synctui" / "tokens.toml"
    assert paths.user_themes_dir() == tmp_path / "config" / "synctui" / "themes"
    assert paths.journal_db() == tmp_path / "data" / "synctui" / "journal.sqlite3"
    assert paths.feed_db() == tmp_path / "data" / "synctui" / "feeds.sqlite3"


def test_paths_are_recomputed_when_the_environment_changes(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "elsewhere"))
    assert paths.accounts_file() == tmp_path / "elsewhere" / "synctui" / "accounts.toml"


def test_asking_for_a_path_creates_nothing(tmp_path: Path) -> None:
    paths.accounts_file()
    paths.journal_db()
    assert not (tmp_path / "config").exists()
    assert not (tmp_path / "data").exists()


def test_ensure_dir_creates_private_directories(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        created = paths.ensure_dir(paths.data_dir())
    finally:
        os.umask(old)
    assert created == paths.data_dir()
    assert mode(created) == 0o700
    assert paths.ensure_dir(created) == created  # idempotent


def test_atomic_write_is_private_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "dir" / "file.toml"
    old = os.umask(0)
    try:
        paths.atomic_write_text(target, "one\n")
        paths.atomic_write_text(target, "two\n")
    finally:
        os.umask(old)
    assert target.read_text() == "two\n"
    assert mode(target) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["file.toml"]


def test_atomic_write_keeps_a_symlink_pointing_at_its_target(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "accounts.toml"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "accounts.toml"
    link.symlink_to(real)
    paths.atomic_write_text(link, "new")
    assert link.is_symlink()
    assert real.read_text() == "new"


# --- the Account value --------------------------------------------------------------------


def test_account_normalises_projects_and_copies_extra() -> None:
    extra = {"colour": "blue"}
    account = Account("a", "speckle", "https://x.example", projects=["p1", "p2"], extra=extra)
    extra["colour"] = "red"
    assert account.projects == ("p1", "p2")
    assert account.extra == {"colour": "blue"}
    assert hash(account) == hash(Account("a", "speckle", "https://x.example", ("p1", "p2")))


def test_a_single_string_is_not_taken_as_a_list_of_projects() -> None:
    with pytest.raises(TypeError):
        Account("a", "speckle", "https://x.example", projects="abc")  # type: ignore[arg-type]


def test_polytomic_gets_a_pinned_api_version_others_do_not() -> None:
    assert Account("p", "polytomic", "https://x.example").api_version == (
        POLYTOMIC_DEFAULT_API_VERSION
    )
    assert POLYTOMIC_DEFAULT_API_VERSION == "2025-09-18"
    assert Account("p", "paragon", "https://x.example").api_version is None


@pytest.mark.parametrize(
    ("name", "var"),
    [
        ("prod", "SYNCTUI_TOKEN_PROD"),
        ("my-acct.eu_1", "SYNCTUI_TOKEN_MY_ACCT_EU_1"),
        ("Mixed9", "SYNCTUI_TOKEN_MIXED9"),
    ],
)
def test_token_env_var(name: str, var: str) -> None:
    assert token_env_var(name) == var
    assert speckle(name).token_env_var == var


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "account",
    [
        speckle(),
        speckle("a" * 64),
        speckle("x.y_z-1"),
        Account("lb", "letsbuild", "https://api.letsbuild.example/v1"),
        Account("pt", "polytomic", "https://app.polytomic.example", auth="deployment"),
        Account("ss", "signalsmith", "https://ss.example", workspace=WORKSPACE),
        Account("pg", "paragon", "https://pg.example", theme="nord-dark"),
        Account("local", "paragon", "http://127.0.0.1:8765/paragon"),
        Account("local2", "paragon", "http://127.9.9.9/"),
        Account("local3", "paragon", "http://localhost:8000"),
        Account("local4", "paragon", "http://[::1]:8000"),
        Account("lan", "paragon", "http://10.0.0.5:8000", allow_http=True),
        speckle(extra={"colour": "blue", "page_size": 50, "ratio": 0.5, "tags": ["a", "b"]}),
    ],
    ids=lambda a: a.name[:12],
)
def test_valid_accounts_pass(account: Account) -> None:
    validate_account(account)


@pytest.mark.parametrize(
    ("account", "message"),
    [
        (speckle(""), "not a valid account name"),
        (speckle("a" * 65), "not a valid account name"),
        (speckle("has space"), "not a valid account name"),
        (speckle("-leading"), "not a valid account name"),
        (speckle("a/b"), "not a valid account name"),
        (Account("x", "zapier", "https://x.example"), "unknown vendor 'zapier'"),
        (Account("x", "paragon", "ftp://x.example"), "must start with https://"),
        (Account("x", "paragon", "https://"), "has no host name"),
        (Account("x", "paragon", "https://u:pw@x.example"), "user name or password"),
        (Account("x", "paragon", "https://x.example/?token=abc"), "query string"),
        (Account("x", "paragon", "https://x.example:99999"), "invalid port"),
        (Account("x", "paragon", "https://x.example/ a"), "whitespace"),
        (Account("x", "paragon", "http://api.paragon.example"), "plain http://"),
        (Account("x", "paragon", "http://10.0.0.5:8000"), "plain http://"),
        (Account("x", "paragon", "http://127.0.0.1.evil.example"), "plain http://"),
        (Account("x", "speckle", "https://x.example"), "at least one project"),
        (speckle(projects=("",)), "non-empty strings"),
        (Account("x", "signalsmith", "https://x.example"), "workspace id (a UUID)"),
        (Account("x", "signalsmith", "https://x.example", workspace="main"), "a UUID"),
        (Account("x", "polytomic", "https://x.example", api_version="v2"), "a date like"),
        (Account("x", "paragon", "https://x.example", auth="deployment"), "only available"),
        (Account("x", "paragon", "https://x.example", auth="basic"), "auth must be one of"),
        (Account("x", "paragon", "https://x.example", theme="../../etc"), "not a theme name"),
        (speckle(extra={"token": "s3cr3t"}), "looks like a credential"),
        (speckle(extra={"api_key": "s3cr3t"}), "looks like a credential"),
        (speckle(extra={"clientSecret": "s3cr3t"}), "looks like a credential"),
        (speckle(extra={"Password": "s3cr3t"}), "looks like a credential"),
        (speckle(extra={"note": "Bearer abc.def"}), "bearer token"),
        (speckle(extra={"notes": ["ok", "bearer abc"]}), "bearer token"),
        (speckle(extra={"nested": {"a": 1}}), "must be a string, number"),
        (speckle(extra={"mixed": ["a", 1]}), "list of strings"),
        (speckle(extra={"inf": float("inf")}), "finite"),
        (speckle(extra={"vendor": "x"}), "regular account setting"),
    ],
)
def test_invalid_accounts_are_refused_with_a_sentence(account: Account, message: str) -> None:
    with pytest.raises(AccountError) as info:
        validate_account(account)
    assert message in str(info.value)


def test_secret_values_never_appear_in_refusal_messages() -> None:
    with pytest.raises(AccountError) as info:
        validate_account(speckle(extra={"token": "tok-VERY-SECRET"}))
    assert "tok-VERY-SECRET" not in str(info.value)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("LOCALHOST.", True),
        ("127.0.0.1", True),
        ("127.255.0.3", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("128.0.0.1", False),
        ("10.0.0.1", False),
        ("::2", False),
        ("localhost.example", False),
        ("example.com", False),
    ],
)
def test_is_loopback_host(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


# --- TOML writing -------------------------------------------------------------------------


@given(st.text(alphabet=st.characters(exclude_categories=("Cs",))))
def test_toml_string_round_trips_any_text(text: str) -> None:
    assert tomllib.loads(f"v = {toml_string(text)}")["v"] == text


@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1))
def test_toml_key_round_trips_any_key(key: str) -> None:
    assert list(tomllib.loads(f"{toml_key(key)} = 1")) == [key]


def test_toml_string_refuses_lone_surrogates() -> None:
    with pytest.raises(ValueError):
        toml_string("a\ud800b")


def test_rendered_file_uses_one_table_per_account_and_omits_defaults() -> None:
    text = render_accounts([speckle("prod"), Account("a.b", "paragon", "https://pg.example")])
    assert "[accounts.prod]" in text
    assert '[accounts."a.b"]' in text
    assert "auth" not in text
    assert "allow_http" not in text
    data = tomllib.loads(text)
    assert data["version"] == 1
    assert list(data["accounts"]) == ["prod", "a.b"]


# --- the store ----------------------------------------------------------------------------


@pytest.fixture
def store() -> AccountStore:
    return AccountStore()


def tricky_accounts() -> list[Account]:
    return [
        speckle("prod", projects=("p1", 'quo"te', "back\\slash"), theme="nord"),
        Account(
            "pt.eu",
            "polytomic",
            "https://app.polytomic.example",
            auth="deployment",
            api_version="2024-02-08",
        ),
        Account("ss", "signalsmith", "https://ss.example", workspace=WORKSPACE),
        Account(
            "local",
            "paragon",
            "http://10.1.2.3:9000/base",
            allow_http=True,
            extra={
                "label": "Équipe «nord»\n\ttab\x7f\x01",
                "page_size": 25,
                "ratio": 1.5,
                "enabled": False,
                "tags": ["x", 'y"z', ""],
            },
        ),
    ]


def test_missing_file_means_no_accounts(store: AccountStore) -> None:
    assert store.load() == []
    assert not store.path.exists()


def test_save_then_load_round_trips_exactly(store: AccountStore) -> None:
    accounts = tricky_accounts()
    store.save(accounts)
    assert store.load() == accounts
    assert mode(store.path) == 0o600
    assert mode(store.path.parent) == 0o700
    assert store.path == paths.accounts_file()


def test_add_get_update_remove(store: AccountStore) -> None:
    store.add(speckle("a"))
    store.add(speckle("b"))
    assert [a.name for a in store.load()] == ["a", "b"]
    assert store.get("b") == speckle("b")
    store.update(speckle("a", projects=("p9",)))
    assert store.get("a").projects == ("p9",)
    assert store.names() == ["a", "b"]  # order kept on update
    assert store.remove("a") == speckle("a", projects=("p9",))
    assert store.names() == ["b"]


def test_adding_a_duplicate_name_is_refused_unless_replacing(store: AccountStore) -> None:
    store.add(speckle("a"))
    with pytest.raises(AccountError, match="already exists"):
        store.add(speckle("a", projects=("other",)))
    store.add(speckle("a", projects=("other",)), replace=True)
    assert store.get("a").projects == ("other",)


@pytest.mark.parametrize("op", ["get", "remove", "update"])
def test_unknown_names_list_the_known_ones(store: AccountStore, op: str) -> None:
    store.add(speckle("alpha"))
    with pytest.raises(AccountError, match="no account named 'ghost'; known accounts: alpha"):
        if op == "update":
            store.update(speckle("ghost"))
        else:
            getattr(store, op)("ghost")


def test_names_sharing_a_token_variable_are_refused(store: AccountStore) -> None:
    store.add(speckle("team.a"))
    with pytest.raises(AccountError, match="SYNCTUI_TOKEN_TEAM_A"):
        store.add(speckle("team-a"))
    assert store.names() == ["team.a"]


def test_invalid_account_is_not_saved_and_old_file_survives(store: AccountStore) -> None:
    store.add(speckle("a"))
    before = store.path.read_text()
    with pytest.raises(AccountError):
        store.add(Account("b", "paragon", "http://insecure.example"))
    assert store.path.read_text() == before


def test_a_token_in_extra_never_reaches_the_file(store: AccountStore) -> None:
    secret = "tok-live-0123456789abcdef"
    store.add(speckle("a"))
    for key in ("token", "api_token", "secret", "password", "apiKey", "auth_token"):
        with pytest.raises(AccountError):
            store.add(speckle("b", extra={key: secret}))
        with pytest.raises(AccountError):
            store.save([speckle("a", extra={key: secret})])
    with pytest.raises(AccountError):
        store.save([speckle("a", extra={"header": f"Bearer {secret}"})])
    assert secret not in store.path.read_text()


def test_a_hand_written_token_in_the_file_is_refused_on_load(store: AccountStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(
        '[accounts.a]\nvendor = "paragon"\nbase_url = "https://x.example"\ntoken = "s3cr3t"\n'
    )
    with pytest.raises(AccountError) as info:
        store.load()
    assert "looks like a credential" in str(info.value)
    assert "s3cr3t" not in str(info.value)


def test_unknown_keys_survive_a_load_save_cycle(store: AccountStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(
        "[accounts.a]\n"
        'vendor = "paragon"\n'
        'base_url = "https://x.example"\n'
        'future_setting = "kept"\n'
        "poll_seconds = 30\n"
    )
    assert store.get("a").extra == {"future_setting": "kept", "poll_seconds": 30}
    store.add(speckle("b"))
    reread = tomllib.loads(store.path.read_text())["accounts"]["a"]
    assert reread["future_setting"] == "kept"
    assert reread["poll_seconds"] == 30


def write(store: AccountStore, text: str) -> None:
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text(text)


def test_broken_toml_names_the_file_line_and_problem(store: AccountStore) -> None:
    write(store, '[accounts.a]\nvendor = "paragon"\nbase_url = https://x\n')
    with pytest.raises(AccountError) as info:
        store.load()
    message = str(info.value)
    assert str(store.path) in message
    assert "line 3" in message
    assert "invalid value" in message.lower()


def test_an_invalid_account_names_the_file_line_and_account(store: AccountStore) -> None:
    write(
        store,
        "version = 1\n\n"
        '[accounts.ok]\nvendor = "paragon"\nbase_url = "https://x.example"\n\n'
        '[accounts."bad.one"]\nvendor = "speckle"\nbase_url = "https://x.example"\n',
    )
    with pytest.raises(AccountError) as info:
        store.load()
    message = str(info.value)
    assert f"{store.path}, line 7: account 'bad.one'" in message
    assert "at least one project" in message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[account.a]\nvendor = "paragon"\n', "unexpected top-level setting 'account'"),
        ("version = 9\n", "newer synctui"),
        ('version = "1"\n', "version must be"),
        ('accounts = "x"\n', "must be tables"),
        ('[accounts.a]\nvendor = 3\nbase_url = "https://x.example"\n', "vendor must be a string"),
        ('[accounts.a]\nvendor = "paragon"\n', "base_url is missing"),
        (
            '[accounts.a]\nvendor = "speckle"\nbase_url = "https://x.example"\nprojects = "p"\n',
            "projects must be a list of strings",
        ),
        (
            '[accounts.a]\nvendor = "paragon"\nbase_url = "https://x.example"\n'
            'allow_http = "yes"\n',
            "allow_http must be true or false",
        ),
        (
            '[accounts.a]\nname = "b"\nvendor = "paragon"\nbase_url = "https://x.example"\n',
            "comes from the table header",
        ),
        ('[accounts."bad name"]\nvendor = "paragon"\nbase_url = "https://x.example"\n', "name"),
        (
            '[accounts."a.b"]\nvendor = "paragon"\nbase_url = "https://x.example"\n'
            '[accounts.a-b]\nvendor = "paragon"\nbase_url = "https://x.example"\n',
            "would share the token variable",
        ),
    ],
)
def test_semantically_broken_files_are_explained(
    store: AccountStore, text: str, message: str
) -> None:
    write(store, text)
    with pytest.raises(AccountError) as info:
        store.load()
    assert message in str(info.value)
    assert str(store.path) in str(info.value)


def test_non_utf8_file_is_explained(store: AccountStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(b"\xff\xfe")
    with pytest.raises(AccountError, match="not UTF-8"):
        store.load()


def test_explicit_path_is_used(tmp_path: Path) -> None:
    store = AccountStore(tmp_path / "custom.toml")
    store.add(speckle())
    assert (tmp_path / "custom.toml").exists()
    assert not paths.accounts_file().exists()
