"""The LetsBuild world: construction projects, forms, punch-list points and contacts, and the
append-only change log the four sync feeds read from.

The same engine writes the seeded history and the live changes, so a feed never has to
tell old from new: it is one log per feed, ordered by one global sequence counter. Entities
are kept as small lists and every change stores a tuple snapshot of its entity; dicts are
built only when a page is served, which keeps seeding 20k changes well under the start-up
budget.
"""

from __future__ import annotations

import heapq
import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from synctui.sandbox.letsbuild_words import (
    CITIES,
    COMPANIES,
    COMPANY_NAMES,
    FIRST_NAMES,
    FORM_SUBJECTS,
    KINDS,
    LAST_NAMES,
    PLACES,
    POINT_SUBJECTS,
    ROLES,
    TLD,
    Slots,
    new_guid,
    phone_number,
)

NULL_GUID = "00000000-0000-0000-0000-000000000000"

CREATED, UPDATED, DELETED = 0, 1, 2
OPERATION_NAMES = ("CREATED", "UPDATED", "DELETED")

PROJECT, FORM, POINT, CONTACT = 0, 1, 2, 3


@dataclass(frozen=True)
class Feed:
    """One sync query: which entity it carries and the snapshot's field order."""

    index: int
    query: str
    entity_type: str
    fields: tuple[str, ...]


def _fields(names: str) -> tuple[str, ...]:
    return tuple(names.split())


FEEDS: tuple[Feed, ...] = (
    Feed(
        PROJECT,
        "projectSync",
        "Project",
        _fields("id name code address city zipCode country startDate endDate isArchived"),
    ),
    Feed(
        FORM,
        "formSync",
        "Form",
        _fields(
            "id subject code codeNum date type status isConform isArchived isUrgent projectId listId createdBy"
        ),
    ),
    Feed(
        POINT,
        "pointSync",
        "Point",
        _fields(
            "id subject code codeNum date isArchived isUrgent dueDate projectId listId status assignee"
        ),
    ),
    Feed(
        CONTACT,
        "contactDetailsSync",
        "ContactDetails",
        _fields(
            "id displayName company role phone email street city zip projectId userId isDisabled accessRightLevel invitationStatus"
        ),
    ),
)

# Field positions by name, so the generator follows any reorder of the fields above.
_P = {name: i for i, name in enumerate(FEEDS[PROJECT].fields)}
_F = {name: i for i, name in enumerate(FEEDS[FORM].fields)}
_T = {name: i for i, name in enumerate(FEEDS[POINT].fields)}
_C = {name: i for i, name in enumerate(FEEDS[CONTACT].fields)}

# A change: (sequenceVersion, entityId, operation, snapshot or None for a deletion, ts ms).
Change = tuple[int, str, int, tuple[Any, ...] | None, int]

POINT_STATUSES = (
    ("Open", "#E5484D"),
    ("In progress", "#F5A623"),
    ("Ready for review", "#3E8ED0"),
    ("Closed", "#30A46C"),
)
FORM_TYPES = ("quality", "safety", "environmental")
FORM_STATUSES = ("draft", "open", "closed")
ACCESS_LEVELS = ("admin", "write", "read")
INVITATION_STATUSES = ("pending", "accepted", "declined", "expired")


@dataclass(slots=True)
class _ProjectMeta:
    """What the generator needs to know about a project beyond its snapshot."""

    form_lists: tuple[str, str, str]
    point_lists: tuple[str, ...]
    next_form_num: list[int]
    next_point_num: int = 1
    children: int = 0
    people: set[int] = field(default_factory=set)


@dataclass(slots=True)
class _Person:
    user_id: str
    name: str
    company: int
    role: str
    phone: str
    email: str


class LetsBuildWorld:
    """Entities plus the per-feed change logs, grown one change at a time.

    Every mutation happens inside `generate()`; the caller (the simulator) holds its lock.
    """

    # Share of changes per feed, and per feed the chance a change is a creation/deletion.
    FEED_WEIGHTS = (0.025, 0.36, 0.46, 0.155)
    CREATE_RATE = (0.10, 0.45, 0.40, 0.35)
    DELETE_RATE = (0.02, 0.05, 0.05, 0.05)
    PARTIAL_RATE = 0.01

    def __init__(self, rng: random.Random, scale: int = 1, first_sequence: int = 48_213_000):
        self.rng = rng
        self.sequence = first_sequence
        self.events = 0
        self.logs: list[list[Change]] = [[] for _ in FEEDS]
        self.seqs: list[list[int]] = [[] for _ in FEEDS]
        self.ids: list[list[str]] = [[] for _ in FEEDS]
        self.state: list[list[list[Any]]] = [[] for _ in FEEDS]
        self.parent: list[list[int]] = [[] for _ in FEEDS]  # child entity -> project index
        self.alive: list[list[int]] = [[] for _ in FEEDS]
        self._alive_pos: list[dict[int, int]] = [{} for _ in FEEDS]
        self.projects: list[_ProjectMeta] = []
        self.open_projects: list[int] = []  # alive and not archived: where new work lands
        self._contact_person: list[int] = []  # contact index -> person index
        # (feed, entity index) -> (field position, the value the partial snapshot lacked)
        self.partials: dict[tuple[int, int], tuple[int, str]] = {}
        self._fixes: list[tuple[int, int, int]] = []  # heap of (due event, feed, index)
        self._project_names: set[str] = set()
        self.companies = [self._company(name, home) for name, home in COMPANIES]
        self.people = [self._person() for _ in range(160 * max(1, scale))]

    # --- public -------------------------------------------------------------------------
    def generate(self, count: int, timestamps: list[int] | None = None, now_ms: int = 0) -> None:
        """Append `count` changes; `timestamps` (ms, one per change) or all at `now_ms`."""
        for i in range(count):
            ts = timestamps[i] if timestamps is not None else now_ms
            if self._fixes and self._fixes[0][0] <= self.events:
                _, feed, idx = heapq.heappop(self._fixes)
                self._fix_partial(feed, idx, ts)
            elif not self.alive[PROJECT] or (self.events < 6):
                self._create_project(ts)
            else:
                self._random_change(ts)
            self.events += 1

    def page(self, feed: int, after: int, limit: int) -> tuple[list[Change], bool]:
        """The changes with a sequence above `after`, and whether more remain after them."""
        seqs = self.seqs[feed]
        start = bisect_right(seqs, after)
        chunk = self.logs[feed][start : start + limit]
        return chunk, start + len(chunk) < len(seqs)

    def total(self) -> int:
        return sum(len(log) for log in self.logs)

    # --- the change log -----------------------------------------------------------------
    def _emit(self, feed: int, idx: int, op: int, ts: int) -> None:
        rng = self.rng
        # The counter is global across LetsBuild, so other entity kinds leave gaps here.
        self.sequence += 1 if rng.random() < 0.7 else rng.randint(2, 4)
        snapshot = None if op == DELETED else tuple(self.state[feed][idx])
        self.logs[feed].append((self.sequence, self.ids[feed][idx], op, snapshot, ts))
        self.seqs[feed].append(self.sequence)

    def _add(self, feed: int, entity_id: str, state: list[Any], parent: int = -1) -> int:
        idx = len(self.ids[feed])
        self.ids[feed].append(entity_id)
        self.state[feed].append(state)
        self.parent[feed].append(parent)
        self._alive_pos[feed][idx] = len(self.alive[feed])
        self.alive[feed].append(idx)
        if parent >= 0:
            self.projects[parent].children += 1
        return idx

    def _remove(self, feed: int, idx: int) -> None:
        pos = self._alive_pos[feed].pop(idx)
        last = self.alive[feed].pop()
        if last != idx:
            self.alive[feed][pos] = last
            self._alive_pos[feed][last] = pos
        parent = self.parent[feed][idx]
        if parent >= 0:
            self.projects[parent].children -= 1
            if feed == CONTACT:
                self.projects[parent].people.discard(self._contact_person[idx])

    def _pick(self, feed: int) -> int:
        """An existing entity, biased to recent ones: punch items get worked on soon."""
        alive = self.alive[feed]
        if len(alive) > 60 and self.rng.random() < 0.6:
            return alive[-1 - self.rng.randrange(60)]
        return alive[self.rng.randrange(len(alive))]

    def _random_change(self, ts: int) -> None:
        rng = self.rng
        r = rng.random()
        feed = 0
        edge = self.FEED_WEIGHTS[0]
        while r >= edge and feed < 3:
            feed += 1
            edge += self.FEED_WEIGHTS[feed]
        if feed != PROJECT and not self.open_projects:
            feed = PROJECT
        r = rng.random()
        if feed == PROJECT:
            if r < self.CREATE_RATE[PROJECT]:
                self._create_project(ts)
                return
            idx = self._pick(PROJECT)
            if r > 1 - self.DELETE_RATE[PROJECT] and self.projects[idx].children == 0:
                if idx in self.open_projects:
                    self.open_projects.remove(idx)
                self._delete(PROJECT, idx, ts)
            else:
                self._update_project(idx, ts)
            return
        if r < self.CREATE_RATE[feed] or not self.alive[feed]:
            (self._create_form, self._create_point, self._create_contact)[feed - 1](ts)
            return
        idx = self._pick(feed)
        if r > 1 - self.DELETE_RATE[feed] and (feed, idx) not in self.partials:
            self._delete(feed, idx, ts)
        else:
            (self._update_form, self._update_point, self._update_contact)[feed - 1](idx, ts)

    def _delete(self, feed: int, idx: int, ts: int) -> None:
        self._remove(feed, idx)
        self._emit(feed, idx, DELETED, ts)

    def _maybe_partial(self, feed: int, idx: int, positions: tuple[int, ...]) -> None:
        """Now and then a new entity arrives before its relations were processed."""
        if self.rng.random() >= self.PARTIAL_RATE:
            return
        pos = self.rng.choice(positions)
        state = self.state[feed][idx]
        self.partials[(feed, idx)] = (pos, state[pos])
        state[pos] = NULL_GUID
        heapq.heappush(self._fixes, (self.events + self.rng.randint(3, 60), feed, idx))

    def _fix_partial(self, feed: int, idx: int, ts: int) -> None:
        pos, value = self.partials.pop((feed, idx))
        self.state[feed][idx][pos] = value
        self._emit(feed, idx, UPDATED, ts)

    # --- projects -----------------------------------------------------------------------
    def _create_project(self, ts: int) -> None:
        rng = self.rng
        name = f"{rng.choice(PLACES)} {rng.choice(KINDS)}"
        while name in self._project_names:
            name = f"{rng.choice(PLACES)} {rng.choice(KINDS)}"
        self._project_names.add(name)
        initials = "".join(w[0] for w in name.replace("-", " ").split() if w[0].isalpha())
        code = f"{initials[:3].upper()}-{rng.randint(1000, 2999)}"
        city, country, zips, streets = rng.choice(CITIES)
        created = _day(ts)
        start = created + timedelta(days=rng.randint(-300, 60))
        end = start + timedelta(days=rng.randint(180, 900)) if rng.random() < 0.9 else None
        state = [
            new_guid(rng), name, code, f"{rng.choice(streets)} {rng.randint(1, 180)}", city,
            rng.choice(zips), country, start.isoformat(), end and end.isoformat(), False,
        ]  # fmt: skip
        n_lists = rng.randint(2, 4)
        self.projects.append(
            _ProjectMeta(
                form_lists=(new_guid(rng), new_guid(rng), new_guid(rng)),
                point_lists=tuple(new_guid(rng) for _ in range(n_lists)),
                next_form_num=[1, 1, 1],
            )
        )
        idx = self._add(PROJECT, state[0], state)
        self.open_projects.append(idx)
        self._emit(PROJECT, idx, CREATED, ts)

    def _update_project(self, idx: int, ts: int) -> None:
        rng = self.rng
        s = self.state[PROJECT][idx]
        r = rng.random()
        if r < 0.35 and s[_P["endDate"]]:
            end = date.fromisoformat(s[_P["endDate"]]) + timedelta(days=rng.randint(7, 45))
            s[_P["endDate"]] = end.isoformat()
        elif r < 0.42 and s[_P["isArchived"]]:
            s[_P["isArchived"]] = False  # reopened for warranty works
            self.open_projects.append(idx)
        elif r < 0.42 and len(self.open_projects) > 3:  # keep some sites running
            s[_P["isArchived"]] = True
            self.open_projects.remove(idx)
        elif r < 0.47:
            streets = next(c[3] for c in CITIES if c[0] == s[_P["city"]])
            s[_P["address"]] = f"{rng.choice(streets)} {rng.randint(1, 180)}"
        # otherwise a change to something the sync API does not expose: same fields, new version
        self._emit(PROJECT, idx, UPDATED, ts)

    def _project_for_child(self) -> int:
        open_projects = self.open_projects
        # Busy sites produce most of the paperwork: favour the first few open projects.
        if len(open_projects) > 4 and self.rng.random() < 0.5:
            return open_projects[self.rng.randrange(4)]
        return self.rng.choice(open_projects)

    # --- forms --------------------------------------------------------------------------
    def _create_form(self, ts: int) -> None:
        rng = self.rng
        project = self._project_for_child()
        meta = self.projects[project]
        kind = rng.choices((0, 1, 2), (0.35, 0.5, 0.15))[0]
        num = meta.next_form_num[kind]
        meta.next_form_num[kind] += 1
        person = self.people[rng.randrange(len(self.people))]
        state = [
            new_guid(rng), rng.choice(FORM_SUBJECTS[kind]).format_map(Slots(rng)),
            f"{('QUA', 'SAF', 'ENV')[kind]}-{num:04d}", str(num), iso_ms(ts), FORM_TYPES[kind],
            "draft" if rng.random() < 0.4 else "open", None, False, rng.random() < 0.06,
            self.ids[PROJECT][project], meta.form_lists[kind], person.name,
        ]  # fmt: skip
        idx = self._add(FORM, state[0], state, project)
        self._maybe_partial(FORM, idx, (_F["projectId"], _F["listId"]))
        self._emit(FORM, idx, CREATED, ts)

    def _update_form(self, idx: int, ts: int) -> None:
        rng = self.rng
        s = self.state[FORM][idx]
        status = s[_F["status"]]
        r = rng.random()
        if status == "draft" and r < 0.7:
            s[_F["status"]] = "open"
        elif status == "open" and r < 0.6:
            s[_F["status"]] = "closed"
            s[_F["isConform"]] = rng.random() < 0.85
        elif status == "closed" and r < 0.3:
            s[_F["isArchived"]] = True
        elif status == "closed" and r < 0.36:
            s[_F["status"]], s[_F["isConform"]] = "open", None  # reopened after review
        elif r < 0.5:
            s[_F["isUrgent"]] = not s[_F["isUrgent"]]
        self._emit(FORM, idx, UPDATED, ts)

    # --- points -------------------------------------------------------------------------
    def _create_point(self, ts: int) -> None:
        rng = self.rng
        project = self._project_for_child()
        meta = self.projects[project]
        num = meta.next_point_num
        meta.next_point_num += 1
        due = _day(ts) + timedelta(days=rng.randint(3, 28)) if rng.random() < 0.8 else None
        state = [
            new_guid(rng), rng.choice(POINT_SUBJECTS).format_map(Slots(rng)), f"P-{num:04d}",
            str(num), iso_ms(ts), False, rng.random() < 0.1, due and due.isoformat(),
            self.ids[PROJECT][project], rng.choice(meta.point_lists), POINT_STATUSES[0],
            rng.choice(COMPANY_NAMES),
        ]  # fmt: skip
        idx = self._add(POINT, state[0], state, project)
        self._maybe_partial(POINT, idx, (_T["projectId"], _T["listId"]))
        self._emit(POINT, idx, CREATED, ts)

    def _update_point(self, idx: int, ts: int) -> None:
        rng = self.rng
        s = self.state[POINT][idx]
        stage = POINT_STATUSES.index(s[_T["status"]])
        r = rng.random()
        if stage < 3 and r < 0.55:
            # Ready for review is sometimes rejected back to Open by the inspector.
            nxt = 0 if stage == 2 and rng.random() < 0.2 else stage + 1
            s[_T["status"]] = POINT_STATUSES[nxt]
        elif stage == 3 and r < 0.4:
            s[_T["isArchived"]] = True
        elif r < 0.7 and s[_T["dueDate"]]:
            due = date.fromisoformat(s[_T["dueDate"]]) + timedelta(days=rng.randint(2, 14))
            s[_T["dueDate"]] = due.isoformat()
        elif r < 0.8:
            s[_T["isUrgent"]] = not s[_T["isUrgent"]]
        elif r < 0.9:
            s[_T["assignee"]] = rng.choice(COMPANY_NAMES)
        self._emit(POINT, idx, UPDATED, ts)

    # --- contacts -----------------------------------------------------------------------
    def _company(self, name: str, home: int) -> tuple[str, str, str, str, str, str]:
        """(name, e-mail domain, street, city, zip, country)."""
        rng = self.rng
        city, country, zips, streets = CITIES[home]
        domain = "".join(c for c in name.lower().split()[0] if c.isalpha()) + "." + TLD[country]
        street = f"{rng.choice(streets)} {rng.randint(1, 220)}"
        return name, domain, street, city, rng.choice(zips), country

    def _person(self) -> _Person:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        company = rng.randrange(len(self.companies))
        country = self.companies[company][5]
        email_local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        return _Person(
            user_id=new_guid(rng),
            name=f"{first} {last}",
            company=company,
            role=rng.choice(ROLES),
            phone=phone_number(rng, country),
            email=f"{email_local}@{self.companies[company][1]}",
        )

    def _create_contact(self, ts: int) -> None:
        rng = self.rng
        project = self._project_for_child()
        meta = self.projects[project]
        who = rng.randrange(len(self.people))
        for _ in range(5):  # a person is a participant of a project at most once
            if who not in meta.people:
                break
            who = rng.randrange(len(self.people))
        else:
            self._update_contact(self._pick(CONTACT), ts)
            return
        meta.people.add(who)
        p = self.people[who]
        company, _, street, city, zipcode, _ = self.companies[p.company]
        state = [
            new_guid(rng), p.name, company, p.role, p.phone if rng.random() < 0.9 else None,
            p.email, street, city, zipcode, self.ids[PROJECT][project], p.user_id, False,
            rng.choices(ACCESS_LEVELS, (0.1, 0.55, 0.35))[0], "pending",
        ]  # fmt: skip
        idx = self._add(CONTACT, state[0], state, project)
        self._contact_person.append(who)
        self._maybe_partial(CONTACT, idx, (_C["projectId"], _C["userId"]))
        self._emit(CONTACT, idx, CREATED, ts)

    def _update_contact(self, idx: int, ts: int) -> None:
        rng = self.rng
        s = self.state[CONTACT][idx]
        r = rng.random()
        if s[_C["invitationStatus"]] == "pending" and r < 0.7:
            s[_C["invitationStatus"]] = rng.choices(INVITATION_STATUSES[1:], (0.9, 0.04, 0.06))[0]
        elif r < 0.3:
            s[_C["accessRightLevel"]] = rng.choice(ACCESS_LEVELS)
        elif r < 0.45:
            person = self.people[self._contact_person[idx]]
            s[_C["phone"]] = phone_number(rng, self.companies[person.company][5])
        elif r < 0.55:
            s[_C["role"]] = rng.choice(ROLES)
        elif r < 0.62:
            s[_C["isDisabled"]] = not s[_C["isDisabled"]]
        self._emit(CONTACT, idx, UPDATED, ts)


# --- time ---------------------------------------------------------------------------------
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_ms(dt: datetime) -> int:
    return int((dt - _EPOCH) / timedelta(milliseconds=1))


def _day(ts_ms: int) -> date:
    return (_EPOCH + timedelta(milliseconds=ts_ms)).date()


def iso_ms(ts_ms: int) -> str:
    """ISO 8601 with milliseconds and a Z, from epoch milliseconds."""
    dt = _EPOCH + timedelta(milliseconds=ts_ms)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts_ms % 1000:03d}Z"


def working_timestamps(rng: random.Random, now: datetime, count: int, days: int = 42) -> list[int]:
    """`count` increasing timestamps over the past `days`, on weekdays 06:30–18:30 UTC.

    Site teams fill in forms and punch lists during working hours, so a history with changes
    at 3 a.m. on a Sunday would look wrong on screen.
    """
    end_ms = to_ms(now) - 60_000
    windows: list[tuple[int, int]] = []  # (start ms, length ms)
    day = (now - timedelta(days=days)).date()
    while day <= now.date():
        if day.weekday() < 5:
            start = to_ms(datetime(day.year, day.month, day.day, 6, 30, tzinfo=UTC))
            length = min(12 * 3_600_000, end_ms - start)
            if length > 0:
                windows.append((start, length))
        day += timedelta(days=1)
    if not windows:  # a clock set oddly: fall back to a plain spread
        windows = [(end_ms - days * 86_400_000, days * 86_400_000)]
    cumulative: list[int] = []
    acc = 0
    for _, length in windows:
        acc += length
        cumulative.append(acc)
    out: list[int] = []
    for i in range(count):
        t = (i + rng.random()) / count * acc
        k = bisect_right(cumulative, t)
        k = min(k, len(windows) - 1)
        before = cumulative[k - 1] if k else 0
        out.append(windows[k][0] + int(t - before))
    return out
