"""PocketSphinx keyword spotting with the English model shipped inside its wheel."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable

import numpy as np
import pocketsphinx

from ..settings import DEFAULT_SENSITIVITY
from ..sound import IN_RATE
from .base import Detection, Recogniser, UnknownWords

#: Frames (10 ms) keyword spotting waits after a find for a better-scoring one before it
#: reports it. PocketSphinx's default of 10 made a stop come 130 ms after the end of the
#: phrase (median; 320 ms at the 95th percentile) on 100 real "computer"s; at 1 the find
#: comes as the last sound is being said (80 ms before its end, 30 ms after at the 95th),
#: and the same phrases are found (docs/benchmarks.md).
KWS_DELAY = 1


def keyword_threshold(phones: int, sensitivity: float) -> float:
    """PocketSphinx keyword threshold for a phrase of ``phones`` phones.

    The score of a keyword path falls about exponentially with its length,
    so the threshold is set per phone: higher sensitivity, lower threshold.
    """
    per_phone = 0.5 + 3.0 * sensitivity  # decades of likelihood per phone
    return 10.0 ** -(max(phones, 2) * per_phone)


def dictionary_path() -> Path:
    """The pronouncing dictionary (CMUdict) shipped with the English model."""
    return Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"


def dictionary_words() -> set[str]:
    """Every word the shipped English dictionary can pronounce."""
    with open(dictionary_path(), encoding="utf-8", errors="replace") as f:
        return {line.split(maxsplit=1)[0] for line in f if line.strip()}


def known_phrases(phrases: Iterable[str]) -> tuple[str, ...]:
    """The phrases whose every word PocketSphinx can pronounce."""
    known = dictionary_words()
    return tuple(p for p in phrases if all(w in known for w in p.split()))


class PocketSphinxRecogniser(Recogniser):
    """Keyword spotting with the English model shipped inside the pocketsphinx wheel."""

    echo_cancel = True

    def __init__(self, phrases: Iterable[str], *, sensitivity: float = DEFAULT_SENSITIVITY,
                 phrase_sensitivity: dict[str, float] | None = None):
        super().__init__(phrases)
        self.sensitivity, self.phrase_sensitivity = sensitivity, phrase_sensitivity
        self.decoder = pocketsphinx.Decoder(
            hmm=str(dictionary_path().parent / "en-us"), dict=str(dictionary_path()),
            lm=None, loglevel="FATAL", kws_delay=KWS_DELAY)
        missing = self.missing_words()
        if missing:
            raise UnknownWords("pocketsphinx", missing)
        lines = []
        for phrase in self.phrases:
            s = (phrase_sensitivity or {}).get(phrase, sensitivity)
            lines.append(f"{phrase} /{keyword_threshold(self.phones(phrase), s):.1e}/")
        with tempfile.NamedTemporaryFile("w", suffix=".kws", delete=False) as f:
            f.write("\n".join(lines) + "\n")
        try:
            self.decoder.add_kws("triggers", f.name)
        finally:
            os.unlink(f.name)
        self.decoder.activate_search("triggers")
        self.decoder.start_utt()
        self._utt_start = 0  # sample where the current utterance began

    def fresh(self) -> PocketSphinxRecogniser:
        return PocketSphinxRecogniser(self.phrases, sensitivity=self.sensitivity,
                                      phrase_sensitivity=self.phrase_sensitivity)

    def eager(self) -> PocketSphinxRecogniser:
        return PocketSphinxRecogniser(self.phrases, sensitivity=1.0)

    def starting_at(self, samples: int) -> PocketSphinxRecogniser:
        super().starting_at(samples)
        self._utt_start = samples
        self.decoder.end_utt()  # its frames count from the utterance's start: begin one here
        self.decoder.start_utt()
        return self

    def phones(self, phrase: str) -> int:
        return sum(len((self.decoder.lookup_word(w) or "").split()) for w in phrase.split())

    def missing_words(self) -> list[str]:
        words = {w for p in self.phrases for w in p.split()}
        return sorted(w for w in words if self.decoder.lookup_word(w) is None)

    def _block(self, block: np.ndarray) -> list[Detection]:
        self.decoder.process_raw(block.tobytes(), False, False)
        hyp = self.decoder.hyp()
        if hyp is None or not hyp.hypstr.strip():
            return []
        found = []
        offset = self._utt_start / IN_RATE
        for seg in self.decoder.seg():
            phrase = seg.word.strip()
            if phrase in self.phrases:
                found.append(Detection(phrase, offset + seg.start_frame / 100,
                                       offset + (seg.end_frame + 1) / 100, self.now))
        # Start afresh so the same words are not reported twice.
        self.decoder.end_utt()
        self.decoder.start_utt()
        self._utt_start = self.samples
        return found

