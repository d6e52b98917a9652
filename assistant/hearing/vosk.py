"""Vosk (Kaldi) decoding with a grammar of the configured phrases, from a model folder."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import vosk

from ..settings import DEFAULT_SENSITIVITY
from ..sound import IN_RATE
from .base import Detection, Recogniser, RecogniserError, UnknownWords


class VoskRecogniser(Recogniser):
    """Kaldi decoding with a grammar of the configured phrases plus ``[unk]``."""

    block = 800  # 50 ms

    def __init__(self, phrases: Iterable[str], *, model: Any,
                 sensitivity: float = DEFAULT_SENSITIVITY):
        """``model`` is a ``vosk.Model`` (see ``load_vosk_model``)."""
        super().__init__(phrases)
        self.model, self.sensitivity = model, sensitivity
        missing = self.missing_words()
        if missing:
            raise UnknownWords("vosk", missing)
        grammar = list(self.phrases)
        if self.model.vosk_model_find_word("[unk]") >= 0:
            grammar.append("[unk]")
        self.recogniser = vosk.KaldiRecognizer(
            self.model, IN_RATE, json.dumps(grammar, ensure_ascii=False))
        self.recogniser.SetWords(True)
        self.recogniser.SetPartialWords(True)
        #: how many consecutive blocks a phrase must stay in the partial result.
        self.stable = 1 + round((1.0 - sensitivity) * 3)
        self._seen: dict[str, int] = {}

    def missing_words(self) -> list[str]:
        words = {w for p in self.phrases for w in p.split()}
        return sorted(w for w in words if self.model.vosk_model_find_word(w) < 0)

    def fresh(self) -> VoskRecogniser:
        return VoskRecogniser(self.phrases, model=self.model, sensitivity=self.sensitivity)

    def eager(self) -> VoskRecogniser:
        return VoskRecogniser(self.phrases, model=self.model, sensitivity=1.0)

    def _block(self, block: np.ndarray) -> list[Detection]:
        final = self.recogniser.AcceptWaveform(block.tobytes())
        raw = self.recogniser.Result() if final else self.recogniser.PartialResult()
        result = json.loads(raw)
        words = result.get("result") or result.get("partial_result") or []
        text = " " + " ".join(w["word"] for w in words) + " "
        found = []
        for phrase in self.phrases:
            if f" {phrase} " not in text:
                self._seen.pop(phrase, None)
                continue
            self._seen[phrase] = self._seen.get(phrase, 0) + 1
            if final or self._seen[phrase] >= self.stable:
                found.append(self._timed(phrase, words))
        if found and not final:
            self.recogniser.Reset()
        if found or final:
            self._seen.clear()
        return found

    began = 0.0  # seconds of audio before this recogniser took over (``starting_at``)

    def starting_at(self, samples: int) -> VoskRecogniser:
        self.samples, self.began = samples, samples / IN_RATE
        return self

    def _timed(self, phrase: str, words: list[dict]) -> Detection:
        n = len(phrase.split())
        names = [w["word"] for w in words]
        for i in range(len(names) - n, -1, -1):
            if names[i:i + n] == phrase.split():  # Vosk times count from its own start
                return Detection(phrase, min(self.began + words[i]["start"], self.now),
                                 min(self.began + words[i + n - 1]["end"], self.now),
                                 self.now)
        return Detection(phrase, self.now, self.now, self.now)


def load_vosk_model(folder: Path) -> Any:
    vosk.SetLogLevel(-1)
    if not Path(folder, "am").is_dir() or not Path(folder, "conf").is_dir():
        raise RecogniserError(f"{folder} is not a Vosk model folder (it has no am/ and conf/).")
    # Always a path: vosk.Model(lang=...) would download behind our back.
    try:
        return vosk.Model(str(folder))
    except Exception as exc:
        raise RecogniserError(f"the Vosk model in {folder} could not be loaded ({exc}).") from None

