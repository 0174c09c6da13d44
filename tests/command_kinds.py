"""Which CLI commands write what: one list for every test that walks the command tree.

A new command that is in none of these sets makes the walking tests fail until it is
placed, so read-only mode cannot miss it.
"""

from __future__ import annotations

import argparse

# Change nothing at all: they read from a vendor or from synctui's own files. `feed tail`
# stores what it fetches (a local cache of a read), like the viewer. `serve` serves the app
# to a browser until stopped; its tabs run read-only unless --allow-writes (tests/web checks
# both), and it writes nothing itself.
READS = frozenset(
    {
        ("sandbox",),
        ("serve",),
        ("accounts", "list"),
        ("accounts", "test"),
        ("syncs", "list"),
        ("syncs", "show"),
        ("syncs", "runs"),
        ("feed", "tail"),
        ("journal",),
        ("journal", "show"),
        ("doctor",),
    }
)

# Change only synctui's own files (accounts, tokens, the feed store); --readonly refuses
# them too (tests/cli/test_readonly_local.py).
LOCAL_WRITES = frozenset({("accounts", "add"), ("accounts", "remove"), ("feed", "reset")})

# Never write to a vendor.
NO_VENDOR_WRITES = READS | LOCAL_WRITES


def cli_commands(parser: argparse.ArgumentParser) -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every runnable command of the CLI, by its words (("syncs", "update"), ("journal",)...)."""
    found: dict[tuple[str, ...], argparse.ArgumentParser] = {}

    def walk(words: tuple[str, ...], node: argparse.ArgumentParser) -> None:
        if node.get_default("handler") is not None:
            found[words] = node
        for action in node._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    walk((*words, name), child)

    walk((), parser)
    return found
