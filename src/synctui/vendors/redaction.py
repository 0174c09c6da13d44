"""Keeping tokens out of everything synctui shows or writes: error text, the call log, the journal.

A vendor's error body can echo what it was sent, and not always verbatim: a gateway may cut
a header short, put the credential of a Basic header in base64, or escape it inside JSON or
a URL. So a secret is matched in every form it may come back in:

- the token itself, and any piece of it at least `MIN_PIECE` (8) characters long — the token
  minus its last four characters, a prefix cut off by a log line, a tail;
- JSON-escaped (`\\/` for `/`, `\\uXXXX` for every character) and URL-encoded
  (`quote`, `quote_plus`, every byte as `%XX`, in either case);
- base64 and URL-safe base64 at each of the three byte alignments, so that the token is found
  inside the encoding of a longer text such as a Basic header's `user:token`.

Redaction happens *before* text is cut short: a token straddling the cut would otherwise
survive as a prefix. Cutting keeps only text from before the cut whose every secret was fully
visible to the matcher (the window extends past the cut by the longest form).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

MASK = "****"
MIN_PIECE = 8  # a piece of a secret this long (in the secret's own characters) is redacted
MIN_SECRET = 4  # shorter "secrets" would mask ordinary words


@dataclass(frozen=True)
class _Form:
    """One encoding of a secret, with the shortest piece of it that gives the secret away."""

    text: str
    piece: int
    grams: dict[str, tuple[int, ...]]


def _json_forms(secret: str) -> list[str]:
    ascii_ = json.dumps(secret)[1:-1]
    units = secret.encode("utf-16-le", "surrogatepass")
    every = [int.from_bytes(units[i : i + 2], "little") for i in range(0, len(units), 2)]
    return [
        ascii_,
        json.dumps(secret, ensure_ascii=False)[1:-1],
        ascii_.replace("/", "\\/"),
        "".join(f"\\u{unit:04x}" for unit in every),
        "".join(f"\\u{unit:04X}" for unit in every),
    ]


def _url_forms(secret: str) -> list[str]:
    raw = secret.encode("utf-8", "surrogatepass")
    return [
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        "".join(f"%{b:02X}" for b in raw),
        "".join(f"%{b:02x}" for b in raw),
    ]


def _base64_cores(secret: str) -> list[str]:
    """The part of the base64 text that depends only on the secret, at each alignment.

    In the encoding of `prefix + secret + suffix` the secret's bytes start at offset
    `len(prefix) % 3` within a 3-byte group; for each of the three offsets, the characters
    that encode only the secret's bits are the same whatever surrounds it.
    """
    raw = secret.encode("utf-8", "surrogatepass")
    cores: list[str] = []
    for offset in range(3):
        padded = b"\0" * offset + raw
        first = -(-8 * offset // 6)  # characters that carry a bit of the padding
        last = (8 * len(padded)) // 6  # characters made of whole secret bits only
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            try:
                text = encode(padded).decode("ascii")
            except (binascii.Error, UnicodeDecodeError):  # pragma: no cover - ascii by design
                continue
            core = text[first:last]
            if core:
                cores.append(core)
    return cores


def _forms(secret: str) -> list[_Form]:
    """Every form of `secret` worth looking for, each indexed by its shortest telling piece."""
    short = len(secret) <= MIN_PIECE
    found: dict[str, int] = {}

    def keep(text: str, piece: int) -> None:
        if not text:
            return
        piece = len(text) if short else min(max(piece, 1), len(text))
        if text not in found or piece < found[text]:
            found[text] = piece

    keep(secret, MIN_PIECE)
    head = secret[:MIN_PIECE]
    for text, head_form in zip(_json_forms(secret), _json_forms(head), strict=True):
        keep(text, len(head_form))
    for text, head_form in zip(_url_forms(secret), _url_forms(head), strict=True):
        keep(text, len(head_form))
    for text in _base64_cores(secret):
        keep(text, -(-8 * MIN_PIECE // 6) + 1)  # 8 bytes: 11 characters, plus one of slack
    out: list[_Form] = []
    for text, piece in found.items():
        grams: dict[str, list[int]] = {}
        for start in range(len(text) - piece + 1):
            grams.setdefault(text[start : start + piece], []).append(start)
        out.append(_Form(text, piece, {k: tuple(v) for k, v in grams.items()}))
    return out


class Redactor:
    """Replaces every known secret, in every form it may be echoed in, by `****`.

    Calling it (`redact(text)`) gives error-sized text: redacted, folded to one line and cut
    to `limit` characters. `scrub(text)` redacts a whole text without cutting it.
    """

    def __init__(self, secrets: list[str] | None = None) -> None:
        self._secrets: list[str] = []
        self._forms: list[_Form] = []
        self.longest = 0  # the longest form: how far past a cut the matcher must look
        for secret in secrets or []:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        if not secret or len(secret) < MIN_SECRET or secret in self._secrets:
            return
        self._secrets.append(secret)
        self._forms.extend(_forms(secret))
        self.longest = max(self.longest, *(len(f.text) for f in self._forms))

    def __bool__(self) -> bool:
        return True  # an empty redactor is still a redactor (never `redact or default`)

    def __call__(self, text: object, limit: int | None = 300) -> str:
        """`text` redacted, on one line, at most `limit` characters (None: no limit)."""
        text = str(text)
        if limit is None:
            return " ".join(self.scrub(text).split())
        keep = 4 * limit + 64  # folding whitespace can shorten a lot; look that far
        cut = len(text) > keep
        folded = " ".join(self._redact(text, min(keep, len(text))).split())
        if cut or len(folded) > limit:
            return folded[: max(0, limit - 1)] + "…"
        return folded

    def scrub(self, text: str) -> str:
        """The whole text with every secret masked (cost grows with its length)."""
        return self._redact(text, len(text))

    def _redact(self, text: str, upto: int) -> str:
        """`text[:upto]` with every secret masked; a secret crossing `upto` is masked too
        (the matcher looks `longest` characters past it)."""
        if not self._forms:
            return text[:upto]
        window = text[: upto + self.longest]
        spans = sorted(span for form in self._forms for span in _find(window, form))
        out: list[str] = []
        at = 0
        for start, end in spans:
            if start >= upto:
                break
            if end <= at:
                continue  # inside a span already masked
            if start > at or not out:
                out += [window[at:start], MASK]
            at = max(at, end)
        if at < upto:
            out.append(window[at:upto])
        return "".join(out)


def _find(text: str, form: _Form) -> list[tuple[int, int]]:
    """Spans of `text` that are pieces (at least `form.piece` long) of `form.text`."""
    spans: list[tuple[int, int]] = []
    size, whole = form.piece, form.text
    index, length = 0, len(text)
    while index <= length - size:
        starts = form.grams.get(text[index : index + size])
        if starts is None:
            index += 1
            continue
        best = size
        for start in starts:
            reach = size
            while (
                index + reach < length
                and start + reach < len(whole)
                and text[index + reach] == whole[start + reach]
            ):
                reach += 1
            best = max(best, reach)
        spans.append((index, index + best))
        index += best
    return spans
