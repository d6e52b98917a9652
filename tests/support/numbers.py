"""Digits as a listener writes them down, and how far that is from the number meant."""
from __future__ import annotations

import re

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
