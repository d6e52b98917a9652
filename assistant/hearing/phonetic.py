"""Comparing what was heard with a phrase by how it sounds, not how it is spelled.

A transcriber's misses on names and made-up words are near-misses of sound
("javis", "alexis"), so the phrase and the transcript are both turned into
phonemes (by espeak-ng) and the phrase is looked for over every short run of
whole words of the transcript: the smallest edit distance, as a share of the
phrase's length, is how far the phrase is from having been said.
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator, Sequence

from .. import espeak


def words_of(text: str) -> list[str]:
    """Lower-case words (letters, digits and apostrophes) of ``text``."""
    return re.findall(r"[a-z0-9']+", text.lower().replace("-", " "))


def edits(a: Sequence[str], b: Sequence[str], *, anywhere: bool = False) -> list[int]:
    """For each place in ``b``, the fewest changes, additions and deletions that turn ``a``
    into ``b`` up to there (with ``anywhere``, into a stretch of ``b`` that may begin
    anywhere before it)."""
    row = [0] * (len(b) + 1) if anywhere else list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row


def edit_distance(a: Sequence[str], b: Sequence[str]) -> int:
    return edits(a, b)[-1]


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
        target, heard, most = self.sound(phrase), self.of(words_of(text)), self._most(phrase)
        return min((far for i in range(len(heard))
                    for _, far in self._runs(target, heard, i, most)),
                   default=float("inf"))

    def unlike(self, heard: str, text: str) -> float:
        """How much of ``heard`` is not found, by sound, in one stretch of ``text``: the
        fewest edits that turn its sounds into some stretch of ``text``'s, as a share of its
        own (0: all of it was said there; 1: none of it)."""
        a = self.sound(heard)
        b = tuple(p for w in self.of(words_of(text)) for p in w)
        if not a:
            return 1.0
        return min(edits(a, b, anywhere=True)) / len(a)  # a stretch ending anywhere

    def count(self, phrase: str, text: str, within: float) -> int:
        """How many separate runs of words of ``text`` sound like ``phrase`` (each no further
        from it than ``within``): "stop everything, say stop everything" holds it twice."""
        target, heard, most = self.sound(phrase), self.of(words_of(text)), self._most(phrase)
        found, i = 0, 0
        while i < len(heard):
            ends = [j for j, far in self._runs(target, heard, i, most) if far <= within]
            found += bool(ends)
            i = ends[0] + 1 if ends else i + 1
        return found

    @staticmethod
    def _most(phrase: str) -> int:
        """The most words of a transcript compared with ``phrase`` at once."""
        return len(words_of(phrase)) + 2

    @staticmethod
    def _runs(target: tuple[str, ...], heard: list[tuple[str, ...]], i: int,
              most: int) -> Iterator[tuple[int, float]]:
        """For each run of up to ``most`` words starting at word ``i``: its last word and how
        far its sounds are from ``target`` (as a share of the target's length)."""
        if not target:
            return
        span: tuple[str, ...] = ()
        for j in range(i, min(len(heard), i + most)):
            span += heard[j]
            if len(span) > 2 * len(target):
                return
            yield j, edit_distance(target, span) / len(target)
