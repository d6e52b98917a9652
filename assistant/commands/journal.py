"""``grounding journal``: the check-in ratings kept, as a table, CSV or a plot.
"""
from __future__ import annotations

import argparse
import sys

from ..journal import Journal, JournalError, as_csv, journal_path, plot, table
from ..store import default_store
from .common import (
    EXIT_CONFIG,
    Refused,
    confirmed,
)


def cmd_journal(args: argparse.Namespace) -> int:
    journal = Journal(journal_path(default_store()))
    if args.forget:
        if not confirmed("Delete every session in your journal? This cannot be undone. "
                         "[y/N] "):
            print("Kept.")
            return 0
        print("Deleted your journal." if journal.forget() else "There was no journal.")
        return 0
    try:
        rows = journal.sessions(args.since)
    except JournalError as exc:
        raise Refused(str(exc), EXIT_CONFIG) from None
    if args.plot:
        if not any(r["before"] is not None or r["after"] is not None for r in rows):
            raise Refused("There are no ratings to draw yet: turn on check-ins (checkins: "
                          "enabled: true) and answer them.", EXIT_CONFIG)
        try:
            plot(rows, args.plot)
        except OSError as exc:
            raise Refused(f"{args.plot}: cannot be written ({exc.strerror}).",
                          EXIT_CONFIG) from None
        print(f"Drawn: {args.plot}")
        return 0
    if args.export == "csv":
        sys.stdout.write(as_csv(rows))
        return 0
    print(table(rows[-20:]) if rows else "No sessions kept yet.")
    if len(rows) > 20:
        print(f"(the last 20 of {len(rows)}; --since or --export csv for more)")
    return 0
