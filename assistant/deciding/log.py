"""The event log: everything the assistant hears and does, one JSON line each."""
from __future__ import annotations

import collections
import json
import sys
from typing import TextIO

from .events import Event


class EventLog:
    """One JSON object per line, each with ``t`` in seconds of audio time; the newest
    ``KEPT`` are also kept in ``events``."""

    KEPT = 10000

    def __init__(self, stream: TextIO | None = None, *, echo: bool = False):
        self.stream, self.echo = stream, echo
        self.events: collections.deque[dict] = collections.deque(maxlen=self.KEPT)

    def __call__(self, t: float, event: Event) -> None:
        fields = event.fields()
        record = {"t": round(t, 3), "event": event.name} | fields
        self.events.append(record)
        if self.stream:
            self.stream.write(json.dumps(record) + "\n")
            self.stream.flush()
        if self.echo:
            detail = " ".join(f"{k}={v}" for k, v in fields.items())
            print(f"[{t:8.2f}s] {event.name} {detail}", file=sys.stderr)
