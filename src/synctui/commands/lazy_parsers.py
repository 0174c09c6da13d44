"""Subcommands whose parsers are made only when they are named (or asked for).

argparse builds every parser it is given up front, and each costs translation look-ups and
help actions; for a command line that names one action, building the others is work thrown
away before `--help` can print. This action lists each subcommand (name and one-line help)
at once but makes its parser, and fills in its options, only when argparse hands it the rest
of the line; `fill_all` builds the whole tree, nested ones too, for whatever inspects it.
"""

from __future__ import annotations

import argparse

TYPE_CHECKING = False  # typing costs more to import than the parsers it would annotate
if TYPE_CHECKING:
    from collections.abc import Callable

    Fill = Callable[[argparse.ArgumentParser], None]


class LazySubparsers(argparse._SubParsersAction):
    """A subcommand choice whose parsers are made, then filled by a function, when needed.

    Until then the name stands in `choices` (so a wrong name gets argparse's own message)
    with no parser behind it.
    """

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._unfilled: dict[str, tuple[Fill, dict[str, object]]] = {}

    def add_later(self, name: str, fill: Fill, help: str, **kwargs: object) -> None:
        """List the subcommand now; make its parser and add its options when it is named."""
        self._choices_actions.append(self._ChoicesPseudoAction(name, (), help))
        self._name_parser_map[name] = None  # type: ignore[assignment]
        self._unfilled[name] = (fill, kwargs)

    def fill(self, name: str) -> None:
        later = self._unfilled.pop(name, None)
        if later is None:
            return
        fill, kwargs = later
        order = list(self._name_parser_map)
        del self._name_parser_map[name]
        parser = self.add_parser(name, **kwargs)  # no help: it is listed already
        for key in order:  # back in the listed order (argparse's messages name them so)
            self._name_parser_map[key] = self._name_parser_map.pop(key)
        fill(parser)

    def fill_all(self) -> None:
        """Every subcommand's parser and options, and those of the subcommands below them."""
        for name in list(self._unfilled):
            self.fill(name)
        for parser in self._name_parser_map.values():
            for action in parser._actions:
                if isinstance(action, LazySubparsers):
                    action.fill_all()

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[no-untyped-def]
        self.fill(values[0])
        super().__call__(parser, namespace, values, option_string)
