"""A private journal: one row for each routine played, so a person (and, if they choose,
their therapist) can see what helps.

It keeps when, which routine, how long, how it ended, and the distress ratings given at
check-ins, in a SQLite file in the user's data folder (folder 0700, file 0600). Never
audio, never anything else that was said. A journal that cannot be written never stops
the assistant: it says so once and goes on without it.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import sqlite3
from pathlib import Path
from typing import Any, Callable, Iterator

from .store import private_folder

FILE = "journal.sqlite3"
COLUMNS = ("started", "routine", "seconds", "ended", "before", "after")
SCHEMA = """CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,   -- local time, to the second (ISO 8601)
    routine TEXT NOT NULL,
    seconds REAL NOT NULL,   -- how long it played
    ended TEXT NOT NULL,     -- finished, paused, quiet, help or stopped
    before INTEGER,          -- distress 0 to 10 at the check-in before, if given
    after INTEGER            -- ...and after
)"""


class JournalError(Exception):
    """The journal cannot be read or written; one sentence."""


def journal_path(store: Path) -> Path:
    return store / FILE


class Journal:
    """The sessions table at ``path``, opened for each write (nothing held open between)."""

    def __init__(self, path: Path):
        self.path = path

    def connect(self) -> sqlite3.Connection:
        try:
            private_folder(self.path.parent)
            if not self.path.exists():  # made 0600 before SQLite writes a byte into it
                os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            os.chmod(self.path, 0o600)
            db = sqlite3.connect(self.path, timeout=2.0)
            db.execute(SCHEMA)
            return db
        except (OSError, sqlite3.Error) as exc:
            raise JournalError(f"The journal ({self.path}) cannot be opened: {exc}.") from None

    def add(self, record: dict[str, Any]) -> None:
        db = self.connect()
        try:
            with db:
                db.execute(f"INSERT INTO sessions ({', '.join(COLUMNS)}) VALUES "
                           f"({', '.join('?' for _ in COLUMNS)})",
                           [record.get(c) for c in COLUMNS])
        except sqlite3.Error as exc:
            raise JournalError(f"The journal ({self.path}) cannot be written: {exc}.") from None
        finally:
            db.close()

    def sessions(self, since: dt.date | None = None) -> list[dict[str, Any]]:
        """Every session (from ``since`` on), oldest first."""
        if not self.path.exists():
            return []
        db = self.connect()
        try:
            rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM sessions WHERE started >= ? "
                              "ORDER BY started, id", [since.isoformat() if since else ""])
            return [dict(zip(COLUMNS, row)) for row in rows]
        except sqlite3.Error as exc:
            raise JournalError(f"The journal ({self.path}) cannot be read: {exc}.") from None
        finally:
            db.close()

    def forget(self) -> bool:
        """Delete the journal; whether there was one."""
        gone = False
        for path in (self.path, self.path.with_name(self.path.name + "-journal")):
            if path.exists():
                path.unlink()
                gone = True
        return gone


class Keeper:
    """What the assistant hands records to: writes them, and on the first failure says so
    once (``tell``) and keeps no more, so that listening and speaking go on."""

    def __init__(self, journal: Journal | None, tell: Callable[[str], None]):
        self.journal, self.tell = journal, tell

    def __call__(self, record: dict[str, Any]) -> None:
        if self.journal is None:
            return
        try:
            self.journal.add(record)
        except JournalError as exc:
            self.journal = None
            self.tell(f"{exc} Sessions are not being kept; everything else works as before.")


def table(rows: list[dict[str, Any]]) -> str:
    """The sessions as a plain table, newest last."""
    head = ("when", "routine", "minutes", "ended", "before", "after")
    lines = [(r["started"].replace("T", " ")[:16], r["routine"].replace("_", " "),
              f"{r['seconds'] / 60:.1f}", r["ended"], shown(r["before"]), shown(r["after"]))
             for r in rows]
    widths = [max(len(x) for x in column) for column in zip(head, *lines)]
    return "\n".join("  ".join(x.ljust(w) for x, w in zip(line, widths)).rstrip()
                     for line in [head, *lines])


def shown(rating: int | None) -> str:
    return "-" if rating is None else str(rating)


def as_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def rated(rows: list[dict[str, Any]], key: str) -> Iterator[tuple[dt.datetime, int, str]]:
    for r in rows:
        if r[key] is not None:
            yield dt.datetime.fromisoformat(r["started"]), int(r[key]), r["routine"]


def plot(rows: list[dict[str, Any]], path: Path) -> Any:
    """Distress before and after over time, one line each, each point marked with its
    routine; written to ``path`` (PNG) off-screen. Returns the figure."""
    import matplotlib

    matplotlib.use("Agg")  # no screen needed
    from matplotlib.dates import AutoDateFormatter, AutoDateLocator, date2num
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4.5), dpi=100)
    axes = figure.add_subplot()
    routines = sorted({r["routine"] for r in rows})
    markers = dict(zip(routines, "osD^vP*Xhp<>"))
    for key, colour in (("before", "#c0504d"), ("after", "#4f81bd")):
        points = list(rated(rows, key))
        if not points:
            continue
        days = [float(date2num(p[0])) for p in points]
        axes.plot(days, [p[1] for p in points], color=colour, label=key, gid=key)
        for day, (_, value, routine) in zip(days, points):
            axes.plot([day], [value], linestyle="none", color=colour,
                      marker=markers.get(routine, "o"))
    for routine, marker in markers.items():
        axes.plot([], [], linestyle="none", color="grey", marker=marker,
                  label=routine.replace("_", " "))
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(AutoDateFormatter(locator))
    axes.set_ylim(-0.5, 10.5)
    axes.set_ylabel("distress (0 to 10)")
    axes.set_title("Distress before and after each routine")
    axes.legend(loc="upper right", fontsize="small")
    figure.autofmt_xdate()
    figure.savefig(path, format="png")
    return figure
