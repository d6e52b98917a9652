"""Digits as a listener writes them down, and how far that is from the number meant."""
from __future__ import annotations

import re

from assistant.hearing.phonetic import edits

#: Words a listener writes for a digit said alone (homophones included).
DIGIT_WORDS = {"zero": "0", "oh": "0", "one": "1", "won": "1", "two": "2", "to": "2",
               "too": "2", "three": "3", "four": "4", "for": "4", "five": "5", "six": "6",
               "seven": "7", "eight": "8", "ate": "8", "nine": "9"}


def digits_heard(text: str) -> str:
    return "".join(DIGIT_WORDS.get(w, "".join(c for c in w if c.isdigit()))
                   for w in re.findall(r"[a-z]+|\d+", text.lower()))


def edits_within(want: str, heard: str) -> int:
    """Fewest digits changed, added or dropped to find ``want`` somewhere in ``heard``."""
    return min(edits(want, heard, anywhere=True))  # starting and ending anywhere
