"""Hearing the user's own phrases: one small interface, two real recognisers.

A recogniser is pure: feed it 16 kHz mono int16 samples, get detections back.
Internally every recogniser works on fixed blocks, so the detections do not
depend on how the caller chops the audio (10 ms or 100 ms chunks give the
same answer). Times are seconds of audio since the recogniser was made.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from .config import Config

RATE = 16000
MODELS = Path(__file__).resolve().parent.parent / "models"  # learned phrase models live here


class RecogniserError(Exception):
    """The recogniser cannot be set up (missing model, unknown words)."""


class UnknownWords(RecogniserError):
    """Some words of the phrases are not in the recogniser's dictionary."""

    def __init__(self, engine: str, words: list[str]):
        super().__init__(f"{engine} has no pronunciation for {', '.join(words)}.")
        self.engine, self.words = engine, set(words)


@dataclass(frozen=True)
class Detection:
    phrase: str
    """The phrase as configured (normalised)."""
    start: float
    """Seconds: where the phrase began in the audio."""
    end: float
    """Seconds: where the phrase ended in the audio."""
    time: float
    """Seconds: the point in the audio at which it was recognised."""


class Recogniser:
    """Fixed-block streaming base: subclasses implement ``_block`` and ``_reset``."""

    block = 160  # samples per internal block
    #: Whether taking the assistant's echo out of the microphone first helps this recogniser
    #: (measured with scripts/bench_own_voice.py; see docs/benchmarks.md).
    echo_cancel = False

    def __init__(self, phrases: Iterable[str]):
        self.phrases = tuple(phrases)
        self._pending = np.zeros(0, dtype=np.int16)
        self.samples = 0  # samples processed so far

    def feed(self, samples: np.ndarray) -> list[Detection]:
        """Process a chunk of int16 samples of any length."""
        data = np.concatenate([self._pending, np.asarray(samples, dtype=np.int16)])
        found: list[Detection] = []
        usable = len(data) - len(data) % self.block
        for i in range(0, usable, self.block):
            self.samples += self.block
            found += self._block(data[i:i + self.block])
        self._pending = data[usable:]
        return found

    @property
    def now(self) -> float:
        return self.samples / RATE

    def _block(self, block: np.ndarray) -> list[Detection]:
        raise NotImplementedError

    def missing_words(self) -> list[str]:
        """Words of the configured phrases the recogniser cannot pronounce."""
        raise NotImplementedError

    def fresh(self) -> Recogniser:
        """A recogniser with the same settings and no memory of past audio."""
        raise NotImplementedError

    def eager(self) -> Recogniser:
        """A fresh recogniser at the highest sensitivity, to notice the assistant's own voice
        saying something like a phrase even when the microphone's copy sounds a little different.
        """
        raise NotImplementedError


def keyword_threshold(phones: int, sensitivity: float) -> float:
    """PocketSphinx keyword threshold for a phrase of ``phones`` phones.

    The score of a keyword path falls about exponentially with its length,
    so the threshold is set per phone: higher sensitivity, lower threshold.
    """
    per_phone = 0.5 + 3.0 * sensitivity  # decades of likelihood per phone
    return 10.0 ** -(max(phones, 2) * per_phone)


class PocketSphinxRecogniser(Recogniser):
    """Keyword spotting with the English model shipped inside the pocketsphinx wheel."""

    echo_cancel = True

    def __init__(self, phrases: Iterable[str], *, sensitivity: float = 0.5,
                 phrase_sensitivity: dict[str, float] | None = None):
        super().__init__(phrases)
        import pocketsphinx

        self._settings = {"sensitivity": sensitivity, "phrase_sensitivity": phrase_sensitivity}
        model = Path(pocketsphinx.get_model_path()) / "en-us"
        self.decoder = pocketsphinx.Decoder(
            hmm=str(model / "en-us"), dict=str(model / "cmudict-en-us.dict"),
            lm=None, loglevel="FATAL")
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
        return PocketSphinxRecogniser(self.phrases, **self._settings)

    def eager(self) -> PocketSphinxRecogniser:
        return PocketSphinxRecogniser(self.phrases, sensitivity=1.0)

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
        offset = self._utt_start / RATE
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


class VoskRecogniser(Recogniser):
    """Kaldi decoding with a grammar of the configured phrases plus ``[unk]``."""

    block = 800  # 50 ms

    def __init__(self, phrases: Iterable[str], *, model, sensitivity: float = 0.5):
        """``model`` is a ``vosk.Model`` (see ``load_vosk_model``)."""
        super().__init__(phrases)
        import vosk

        self.model, self.sensitivity = model, sensitivity
        missing = self.missing_words()
        if missing:
            raise UnknownWords("vosk", missing)
        grammar = list(self.phrases)
        if self.model.vosk_model_find_word("[unk]") >= 0:
            grammar.append("[unk]")
        self.recogniser = vosk.KaldiRecognizer(
            self.model, RATE, json.dumps(grammar, ensure_ascii=False))
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

    def _timed(self, phrase: str, words: list[dict]) -> Detection:
        n = len(phrase.split())
        names = [w["word"] for w in words]
        for i in range(len(names) - n, -1, -1):
            if names[i:i + n] == phrase.split():  # Vosk times count from the stream's start
                return Detection(phrase, min(words[i]["start"], self.now),
                                 min(words[i + n - 1]["end"], self.now), self.now)
        return Detection(phrase, self.now, self.now, self.now)


def load_vosk_model(folder: Path):
    import vosk

    vosk.SetLogLevel(-1)
    if not Path(folder, "am").is_dir() or not Path(folder, "conf").is_dir():
        raise RecogniserError(f"{folder} is not a Vosk model folder (it has no am/ and conf/).")
    # Always a path: vosk.Model(lang=...) would download behind our back.
    try:
        return vosk.Model(str(folder))
    except Exception as exc:
        raise RecogniserError(f"the Vosk model in {folder} could not be loaded ({exc}).") from None


def choose_engine(config: Config) -> str:
    """``auto``: a Vosk model the user downloaded, else PocketSphinx. The embedding engine hears
    real voices better but also answers the assistant's own voice from the speaker, so it is
    chosen by name only (see docs/benchmarks.md)."""
    if config.engine != "auto":
        return config.engine
    return "vosk" if config.model is not None and config.model.is_dir() else "pocketsphinx"


def make_recogniser(config: Config, *, models: Path = MODELS,
                    enrolled: dict[str, list[np.ndarray]] | None = None) -> Recogniser:
    """The recogniser the configuration asks for, listening for every phrase. The embedding
    engine learns from the user's enrolled takes in ``models`` (or from ``enrolled``)."""
    phrases = config.phrases
    engine = choose_engine(config)
    if engine == "embedding":
        from .embedding import Embedder, EmbeddingRecogniser
        from .enroll import load
        from .training import load_or_train

        if enrolled is None:
            enrolled = load(models, phrases)
        classifier = load_or_train(phrases, models, enrolled=enrolled)
        return EmbeddingRecogniser(phrases, classifier=classifier, embedder=Embedder(),
                                   sensitivity=config.sensitivity,
                                   phrase_sensitivity=config.phrase_sensitivity)
    if engine == "vosk":
        if config.model is None or not config.model.is_dir():
            raise RecogniserError("the Vosk engine needs listen.model to name a model folder.")
        return VoskRecogniser(phrases, model=load_vosk_model(config.model),
                              sensitivity=config.sensitivity)
    return PocketSphinxRecogniser(phrases, sensitivity=config.sensitivity,
                                  phrase_sensitivity=config.phrase_sensitivity)


def detect_samples(recogniser: Recogniser, samples: np.ndarray, *, chunk: int = 1600,
                   tail: float = 0.5) -> list[Detection]:
    """Push a whole recording through the streaming path, with a little silence after."""
    padded = np.concatenate([samples.astype(np.int16), np.zeros(int(tail * RATE), np.int16)])
    found = []
    for i in range(0, len(padded), chunk):
        found += recogniser.feed(padded[i:i + chunk])
    return found
