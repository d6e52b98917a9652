"""The event log: one small type for each thing that happens, one JSON line for each."""
from __future__ import annotations

import io
import json

from assistant.deciding import events
from assistant.deciding.log import EventLog


def test_each_event_is_one_json_line_with_its_time_and_its_fields():
    stream = io.StringIO()
    log = EventLog(stream)
    log(1.23456, events.Ignored(phrase="stop everything", evidence="output", kind="candidate",
                                times=1, start=0.5, end=1.2,
                                echo={"echo_taken_db": 30.0, "echo_left_db": -12.5}))
    log(2.0, events.SpeechStart(routine="ground"))
    log(2.5, events.SpeechStart(routine="ground", reason="not the pause phrase"))
    log(3.0, events.Rating(when="after", routine="ground", rating=None))
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines == [
        {"t": 1.235, "event": "ignored", "phrase": "stop everything", "reason": "own voice",
         "evidence": "output", "kind": "candidate", "times": 1, "start": 0.5, "end": 1.2,
         "echo_taken_db": 30.0, "echo_left_db": -12.5},
        {"t": 2.0, "event": "speech_start", "routine": "ground"},  # no reason: left out
        {"t": 2.5, "event": "speech_start", "routine": "ground",
         "reason": "not the pause phrase"},
        {"t": 3.0, "event": "rating", "when": "after", "routine": "ground", "rating": None},
    ]
    assert list(log.events) == lines


def test_every_kind_of_event_has_a_name_and_only_own_voice_and_unasked_share_one():
    kinds = [k for k in vars(events).values()
             if isinstance(k, type) and issubclass(k, events.Event) and k is not events.Event]
    names = [k.name for k in kinds]
    assert all(n and n == n.lower() and " " not in n for n in names)
    shared = {n for n in names if names.count(n) > 1}
    assert shared == {"ignored"}
