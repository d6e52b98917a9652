"""Comparing what was heard with a phrase by how it sounds, not how it is spelled.

A transcriber's misses on names and made-up words are near-misses of sound
("javis", "alexis"), so the phrase and the transcript are both turned into
phonemes (by espeak-ng) and the phrase is looked for over every short run of
whole words of the transcript: the smallest edit distance, as a share of the
phrase's length, is how far the phrase is from having been said.
"""
from __future__ import annotations

import re
from typing import Iterable

from .. import espeak


def words_of(text: str) -> list[str]:
    """Lower-case words (letters, digits and apostrophes) of ``text``."""
    return re.findall(r"[a-z0-9']+", text.lower().replace("-", " "))


def edit_distance(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]


class Phonetic:
    """Phonemes of words, each word asked of espeak-ng once."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[str, ...]] = {}

    def of(self, words: Iterable[str]) -> list[tuple[str, ...]]:
        words = list(words)
        new = [w for w in dict.fromkeys(words) if w not in self._known]
        for word, sound in zip(new, espeak.phonemes(new)):
            self._known[word] = sound
        return [self._known[w] for w in words]

    def sound(self, phrase: str) -> tuple[str, ...]:
        return tuple(p for w in self.of(words_of(phrase)) for p in w)

    def distance(self, phrase: str, text: str) -> float:
        """How far ``text`` is from holding ``phrase``: 0 when some run of its words sounds
        exactly like it; 1 or more when nothing does."""
        target = self.sound(phrase)
        if not target:
            return float("inf")
        heard = self.of(words_of(text))
        longest = len(words_of(phrase)) + 2
        best = float("inf")
        for i in range(len(heard)):
            span: tuple[str, ...] = ()
            for j in range(i, min(len(heard), i + longest)):
                span += heard[j]
                if len(span) > 2 * len(target):
                    break
                best = min(best, edit_distance(target, span) / len(target))
        return best
