"""Checks that run on an edited document before anything is sent to a vendor.

A vendor's 400/422 arrives late, after a network round trip, and often says little
("Bad Request"). These validators catch the mistakes we can know about locally and say what is
wrong in a sentence that names the field, e.g. ``referencePoint must be one of internalOrigin,
projectBasePoint, surveyPoint``.

This module holds what every vendor's validator shares (the issue, the accumulator, UUIDs);
each vendor's own checks live with its rules in `vendors/<vendor>_rules.py`. Rules shared by
every validator:

* They never raise, whatever JSON they are given, and always return a list (empty = fine).
* Keys we do not model are never an issue (except where a vendor's update documents exactly
  which keys it accepts): vendors add fields, and a full-replacement write must carry them
  back untouched.
* They refuse only what the vendor documents (a required field, a type, an enum, a format),
  each with its source named next to it; anything else is sent, and the vendor's answer shown.
  So no "must not be empty", "at least one row", "no duplicate targets" or "this cron never
  fires": a vendor may accept those, and it is the vendor's to refuse. The README's "What
  synctui refuses locally" lists every rule here.
* Whether an ID exists is for the vendor to say.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from synctui.domain.diff import PathPart, format_path

__all__ = [
    "Checks",
    "ValidationIssue",
    "field_name",
    "is_uuid",
    "path_text",
]

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One problem. ``path`` is dotted (``fields[2].target``; ``""`` = the whole document) so
    the editor can highlight the field; ``message`` is a full sentence that names it too."""

    path: str
    message: str

    def __str__(self) -> str:
        return self.message


def is_uuid(value: object) -> bool:
    """True for a canonical 8-4-4-4-12 hex UUID string (any case).

    Stricter than :class:`uuid.UUID`, which also takes braces, ``urn:`` prefixes and bare hex:
    vendors want the canonical form.
    """
    return isinstance(value, str) and _UUID.match(value) is not None


# -- a small accumulator shared by the vendors' validators ----------------------------


@dataclass
class Checks:
    issues: list[ValidationIssue] = field(default_factory=list)

    def add(self, path: tuple[PathPart, ...], message: str) -> None:
        self.issues.append(ValidationIssue(path_text(path), message))

    def obj(
        self, value: object, path: tuple[PathPart, ...], *, nullable: bool = False
    ) -> TypeGuard[dict[str, Any]]:
        """Record an issue unless ``value`` is an object; True if it is one."""
        if isinstance(value, dict):
            return True
        if not (nullable and value is None):
            self.add(path, f"{field_name(path)} must be a JSON object")
        return False

    def required(self, doc: Mapping[str, Any], key: str, path: tuple[PathPart, ...]) -> bool:
        """Record an issue if ``key`` is missing; True if it is present."""
        if key in doc:
            return True
        self.add((*path, key), f"{field_name((*path, key))} is required")
        return False

    def text(self, value: object, path: tuple[PathPart, ...]) -> bool:
        """A documented string: its type is checked, never whether it is empty."""
        if isinstance(value, str):
            return True
        self.add(path, f"{field_name(path)} must be a string")
        return False

    def enum(self, value: object, path: tuple[PathPart, ...], allowed: Collection[str]) -> None:
        if not (isinstance(value, str) and value in allowed):
            self.add(path, f"{field_name(path)} must be one of {', '.join(allowed)}")

    def uuid(self, value: object, path: tuple[PathPart, ...]) -> None:
        if not is_uuid(value):
            self.add(
                path,
                f"{field_name(path)} must be a UUID such as 123e4567-e89b-12d3-a456-426614174000",
            )

    def boolean(self, value: object, path: tuple[PathPart, ...]) -> None:
        if not isinstance(value, bool):
            self.add(path, f"{field_name(path)} must be true or false")


def path_text(path: tuple[PathPart, ...]) -> str:
    return format_path(path) if path else ""


def field_name(path: tuple[PathPart, ...]) -> str:
    return format_path(path) if path else "the document"
