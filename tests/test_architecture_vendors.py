"""Vendor knowledge lives in `vendors/`: no vendor is named in code anywhere else.

Adding a vendor should touch one adapter, its rules, one simulator, their tests and a
registry line — never a screen, a command or a service. So a vendor's name (any of the five,
any case, inside a longer name too: `validate_signalsmith_sync`, `"prod-polytomic"`) may appear
in `src/synctui` as an identifier or a string literal only:

- in `vendors/` (the adapters, their rules, the registry) and `sandbox/` (the simulators);
- in the registries and their entries outside them, listed in `ALLOWED` with their reason.

Docstrings and comments may name vendors: they explain, they do not decide.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import synctui
from synctui.domain.capabilities import Capability

SRC = Path(synctui.__file__).parent
VENDOR_NAME = re.compile(r"speckle|letsbuild|polytomic|signalsmith|paragon", re.IGNORECASE)
OUTSIDE = ("vendors/", "sandbox/")
ALLOWED: dict[str, str] = {
    # The TUI's vendor → form registry, and its entries: one module per vendor, named after it.
    "ui/editing/forms.py": "the TUI's vendor → form registry",
    "ui/editing/speckle_form.py": "a vendor's form (registered in ui/editing/forms.py)",
    "ui/editing/signalsmith_form.py": "a vendor's form (registered in ui/editing/forms.py)",
    "ui/editing/polytomic_form.py": "a vendor's form (registered in ui/editing/forms.py)",
    "ui/editing/paragon_form.py": "a vendor's form (registered in ui/editing/forms.py)",
    # Below vendors/, so it cannot ask the rules: the accounts file's per-vendor settings.
    "store/accounts.py": "the vendor-specific account fields",
    "services/demo.py": "the demo's accounts, one per simulator",
    # A development tool that drives the demo's own accounts; it is not part of the product.
}


def _docstrings(tree: ast.AST) -> set[tuple[int, int]]:
    """Where each docstring starts (line, column): a docstring explains, it does not decide."""
    found: set[tuple[int, int]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            for statement in node.body[:1]:
                if (
                    isinstance(statement, ast.Expr)
                    and isinstance(statement.value, ast.Constant)
                    and isinstance(statement.value.value, str)
                ):
                    found.add((statement.lineno, statement.col_offset))
    return found


def vendor_names_in(source: str) -> list[tuple[int, str]]:
    """(line, token) for every identifier or string literal (docstrings aside) naming a vendor."""
    docstrings = _docstrings(ast.parse(source))
    kinds = {tokenize.NAME, tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
    hits: list[tuple[int, str]] = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in kinds or not VENDOR_NAME.search(token.string):
            continue
        if token.type == tokenize.STRING and token.start in docstrings:
            continue
        hits.append((token.start[0], token.string))
    return hits


def vendor_names_outside_vendors() -> list[str]:
    found: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if relative.startswith(OUTSIDE) or relative in ALLOWED:
            continue
        for line, text in vendor_names_in(path.read_text(encoding="utf-8")):
            found.append(f"{relative}:{line}: {text[:60]}")
    return found


def test_no_vendor_is_named_outside_vendors_and_the_registries() -> None:
    assert vendor_names_outside_vendors() == []


def test_a_form_module_names_only_its_own_vendor() -> None:
    for relative in ALLOWED:
        name = Path(relative).name
        if not name.endswith("_form.py"):
            continue
        own = name.removesuffix("_form.py")
        source = (SRC / relative).read_text(encoding="utf-8")
        others = {
            match.lower()
            for _, text in vendor_names_in(source)
            for match in VENDOR_NAME.findall(text)
        } - {own}
        assert others == set(), f"{relative} names {sorted(others)}"


def test_the_check_sees_what_it_looks_for() -> None:
    source = (
        '"""Speckle and Paragon in a docstring."""\n'
        "# polytomic in a comment\n"
        'if vendor == "speckle":\n'
        "    found = signalsmith_casts(doc)\n"
        'name = f"prod-{x}-LetsBuild"\n'
        "plain = 'nothing here'\n"
    )
    assert [line for line, _ in vendor_names_in(source)] == [3, 4, 5]


def test_every_registered_vendor_has_rules_that_its_adapter_uses() -> None:
    from synctui.store.accounts import VENDORS as ACCOUNT_VENDORS
    from synctui.vendors.registry import ADAPTERS, RULES, VENDORS, adapter_class, rules_for

    assert set(ADAPTERS) == set(RULES) == set(VENDORS)
    assert tuple(ACCOUNT_VENDORS) == VENDORS  # the accounts file knows the same vendors
    for vendor in VENDORS:
        rules, adapter = rules_for(vendor), adapter_class(vendor)
        assert (rules.vendor, adapter.vendor) == (vendor, vendor)
        assert adapter.rules is rules
        assert adapter.capabilities == rules.capabilities
        assert rules.title and vendor == rules.title.lower()
        assert all(isinstance(c, Capability) for c in rules.capabilities)
