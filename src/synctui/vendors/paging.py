"""Every page loop has a stop, whatever the vendor's cursors do.

A vendor lists things page by page and says where the next page starts (a token, a cursor,
a page number plus `hasMore`). Followed blindly, a broken or hostile server keeps a listing
going forever: empty pages each with a fresh token (20,000 requests in 30 s), the same cursor
with `hasMore: true`, or the same items on every page (stored thousands of times). `PageGuard`
is the one stop every loop shares. A loop calls `fresh(items)` with each page's items, which
drops items already seen in this listing (so nothing is shown or stored twice), then
`follow(cursor)` before asking for the next page, which raises a clear `VendorError`:

- when the cursor was already followed in this listing (the server is going round in circles);
- after `IDLE_PAGES` pages in a row that brought nothing new but promised more;
- once `max_pages` pages were read (`network.max_pages` in settings.toml).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from synctui.domain import errors

IDLE_PAGES = 5  # pages in a row with nothing new, while the server says there is more
T = TypeVar("T")


def item_id(item: Any) -> Hashable | None:
    """The usual identity of a vendor item: its `id`, when it is a string."""
    ident = item.get("id") if isinstance(item, dict) else None
    return ident if isinstance(ident, str) and ident else None


class PageGuard:
    """The stops of one listing (one `iter_syncs`, one run history, one feed catch-up)."""

    def __init__(
        self,
        account: str,
        vendor: str,
        what: str,
        *,
        max_pages: int,
        idle_pages: int = IDLE_PAGES,
    ) -> None:
        self.account = account
        self.vendor = vendor
        self.what = what
        self.max_pages = max(1, max_pages)
        self.idle_pages = max(1, idle_pages)
        self.pages = 0
        self.idle = 0
        self._cursors: set[str] = set()
        self._seen: set[Hashable] = set()
        self._new_on_page = 0

    def fresh(self, items: list[T], key: Callable[[T], Hashable | None] = item_id) -> list[T]:
        """This page's items minus those already seen in this listing (by `key`; an item
        without one is kept, but does not count as progress)."""
        self.pages += 1
        out: list[T] = []
        new = 0
        for item in items:
            ident = key(item)
            if ident is None:
                out.append(item)
                continue
            if ident in self._seen:
                continue
            self._seen.add(ident)
            out.append(item)
            new += 1
        self._new_on_page = new
        return out

    def progressed(self, new: int) -> None:
        """For a loop that tells progress itself instead of through `fresh`."""
        self.pages += 1
        self._new_on_page = new

    def follow(self, cursor: object) -> None:
        """Before asking for the page at `cursor`: raise if the listing must stop here."""
        self.idle = 0 if self._new_on_page else self.idle + 1
        if isinstance(cursor, str):
            if cursor in self._cursors:
                raise self._stop("repeated a page cursor")
            self._cursors.add(cursor)
        if self.idle >= self.idle_pages:
            raise self._stop(
                f"sent {self.idle} pages in a row with nothing new while saying there was more"
            )
        if self.pages >= self.max_pages:
            raise self._stop(
                f"was still sending pages after {self.pages} (network.max_pages)",
                hint="raise network.max_pages in settings.toml if the list really is that long",
            )

    def stops(self, cursor: object) -> bool:
        """`follow`, for a loop that ends quietly with what it has (a run history bounded by
        its own limit) rather than with an error."""
        try:
            self.follow(cursor)
        except errors.VendorError:
            return True
        return False

    def _stop(self, why: str, hint: str | None = None) -> errors.VendorError:
        return errors.VendorError(
            f"{self.account}: {self.vendor} {why} while listing {self.what}; stopped there",
            hint=hint,
        )
