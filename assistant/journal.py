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
from typing import Any, Callable

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


#: The colour of a session's line by how the distress changed: lower, the same, higher.
CHANGE = {"lower": "#2e8b57", "same": "#7f7f7f", "higher": "#d2691e"}
MARKERS = "osD^vP*Xhp<>"


def plot(rows: list[dict[str, Any]], path: Path) -> Any:
    """Does it help? Each rated session as a line from the distress before it (an open
    circle) to the distress after it (a filled one), at the day and time it was, coloured
    by whether the distress went down; each routine with a shape of its own. Written to
    ``path`` (PNG) off-screen; returns the figure."""
    import matplotlib

    matplotlib.use("Agg")  # no screen needed
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    sessions = [r for r in rows if r["before"] is not None or r["after"] is not None]
    routines = sorted({r["routine"] for r in sessions})
    marker = dict(zip(routines, MARKERS))
    figure = Figure(figsize=(8, 4.5), dpi=100)
    axes = figure.add_axes((0.08, 0.14, 0.64, 0.76))
    changes = set()
    for r in sessions:
        x = float(date2num(dt.datetime.fromisoformat(r["started"])))
        before, after = r["before"], r["after"]
        change = "same" if before is None or after is None or after == before else \
            "lower" if after < before else "higher"
        colour = CHANGE[change]
        if before is not None and after is not None:
            changes.add(change)
            axes.plot([x, x], [before, after], color=colour, linewidth=2.5, gid="session",
                      solid_capstyle="round")
        shape = marker[r["routine"]]
        if before is not None:
            axes.plot([x], [before], linestyle="none", marker=shape, markersize=8,
                      markerfacecolor="white", markeredgecolor=colour, gid="before")
        if after is not None:
            axes.plot([x], [after], linestyle="none", marker=shape, markersize=8,
                      color=colour, gid="after")
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    days = [float(date2num(dt.datetime.fromisoformat(r["started"]))) for r in sessions]
    if days:  # a little room on either side, and at least a day shown
        middle, half = (max(days) + min(days)) / 2, max((max(days) - min(days)) / 2, 0.5)
        axes.set_xlim(middle - half * 1.08, middle + half * 1.08)
    axes.set_ylim(-0.5, 10.5)
    axes.set_yticks(range(0, 11, 2))
    axes.grid(axis="y", color="#e5e5e5")
    axes.set_ylabel("distress (0 to 10)")
    axes.set_title("Distress before and after each session")
    key = [Line2D([], [], linestyle="none", marker="o", markerfacecolor="white",
                  markeredgecolor="black", label="before"),
           Line2D([], [], linestyle="none", marker="o", color="black", label="after")]
    key += [Line2D([], [], color=CHANGE[c], linewidth=2.5, label=f"{c} after")
            for c in CHANGE if c in changes]
    key += [Line2D([], [], linestyle="none", marker=marker[r], color="grey",
                   label=r.replace("_", " ")) for r in routines]
    figure.legend(handles=key, loc="center left", bbox_to_anchor=(0.74, 0.52),
                  frameon=False, fontsize="small")
    figure.savefig(path, format="png")
    return figure
