"""Which engine listens, built from the configuration, with what learning made for it
(the embedding engine's classifier, the two-stage engine's ear). Hearing never imports learning:
the two meet here.

Each engine's module is imported only when it is chosen: they load native
libraries and models, and a configuration uses one of them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from .hearing.base import Recogniser, RecogniserError
from .settings import Config
from .store import default_store

#: How eagerly the two-stage engine's scout (keyword spotting whose finds are only checked,
#: never acted on at once) listens: more finds, each costing one check.
SCOUT = 0.9


def choose_engine(config: Config) -> str:
    """``auto``: the two stages (PocketSphinx, then Whisper's check), which hear real people
    best and start least by themselves (docs/benchmarks.md)."""
    return "whisper" if config.engine == "auto" else config.engine


def make_recogniser(config: Config, *, store: Path | None = None,
                    enrolled: dict[str, list[np.ndarray]] | None = None,
                    exclude: Iterable[str] = (),
                    progress: Callable[[str], None] = lambda message: None) -> Recogniser:
    """The recogniser the configuration asks for, listening for every phrase.

    The embedding engine keeps what it learns in ``store`` (default: the user's data folder)
    and learns from the user's
    enrolled takes there (or from ``enrolled``), saying how far it is through ``progress``;
    ``exclude`` keeps words out of its examples (for benchmarks)."""
    phrases = config.listened  # the phrases, and any check-in's answers
    engine = choose_engine(config)
    if engine == "embedding":
        from .learning.enroll import load

        store = default_store() if store is None else store
        if enrolled is None:
            enrolled = load(store, phrases)
        return embedding(config, phrases, store, enrolled=enrolled, exclude=exclude,
                         progress=progress)
    if engine == "whisper":
        from .hearing.pocketsphinx import PocketSphinxRecogniser, known_phrases
        from .hearing.twostage import TwoStageRecogniser
        from .hearing.whisper import BASE, Later, Transcriber

        quick = known_phrases(config.phrases)  # answers to a check-in: only in the checks
        first = PocketSphinxRecogniser(quick, sensitivity=config.sensitivity,
                                       phrase_sensitivity={
                                           p: s for p, s in config.phrase_sensitivity.items()
                                           if p in quick}) if quick else None
        scout = PocketSphinxRecogniser(quick, sensitivity=SCOUT) if quick else None
        return TwoStageRecogniser(phrases, transcriber=Transcriber(), larger=Later(BASE),
                                  first=first, scout=scout,
                                  ear=learned_ear(config, store=store, earlier=True),
                                  stopping=config.stopping, urgent=config.urgent,
                                  sensitivity=config.sensitivity,
                                  phrase_sensitivity=config.phrase_sensitivity,
                                  hinted=config.phrases)
    if engine == "vosk":
        from .hearing.vosk import VoskRecogniser, load_vosk_model

        if config.model is None or not config.model.is_dir():
            raise RecogniserError("the Vosk engine needs listen.model to name a model folder.")
        return VoskRecogniser(phrases, model=load_vosk_model(config.model),
                              sensitivity=config.sensitivity)
    from .hearing.pocketsphinx import PocketSphinxRecogniser

    return PocketSphinxRecogniser(phrases, sensitivity=config.sensitivity,
                                  phrase_sensitivity=config.phrase_sensitivity)


def ear_phrases(config: Config) -> tuple[str, ...]:
    """The phrases the two-stage engine's ear learns, if the configuration wants one: every
    phrase. Keyword spotting misses most phrases said in a noisy room (and cannot know a word
    outside its dictionary), where the ear still hears nine in ten; its finds ask for the
    hinted check, and a pause phrase's find also stops the voice at once."""
    if not config.fast_stop or choose_engine(config) != "whisper":
        return ()
    return config.phrases


def ear_to_learn(config: Config, *, store: Path | None = None) -> tuple[str, ...]:
    """The phrases whose ear is still to be learned (none if it is there, or not wanted, or
    cannot be: the embedding models missing). Asks the data folder alone: the models'
    libraries are not loaded for this (they add seconds to every start)."""
    from .learning.learn import learned

    phrases = ear_phrases(config)
    try:
        done = not phrases or learned(phrases, default_store() if store is None else store)
    except RecogniserError:
        return ()
    return () if done else phrases


def learned_ear(config: Config, *, store: Path | None = None,
                earlier: bool = False) -> Recogniser | None:
    """The two-stage engine's ear (an embedding classifier learned for every phrase and any
    enrolled takes of them), if it has been learned; else None: learning takes minutes, so
    it is never done here (``grounding learn``, or ``Session`` in the background).

    With ``earlier``, until then: the ear last learned in ``store`` for other phrases,
    listening for those of today's it knows (a phrase changed with a therapist would
    otherwise leave the pause phrases without it for the minutes of learning)."""
    from .learning.enroll import load
    from .learning.learn import learned

    phrases = ear_phrases(config)
    store = default_store() if store is None else store
    if not phrases:
        return None
    enrolled = load(store, phrases)
    try:  # the embedding models missing: no ear
        if learned(phrases, store, enrolled=enrolled):
            return embedding(config, phrases, store, enrolled=enrolled)
        return earlier_ear(config, store) if earlier else None
    except RecogniserError:
        return None


def earlier_ear(config: Config, store: Path) -> Recogniser | None:
    """The most recently learned ear in ``store`` that knows a pause phrase of ``config``,
    finding only the phrases of ``config`` it knows; None if there is none."""
    from .hearing.embedding import Classifier, Embedder, EmbeddingRecogniser

    kept = sorted(store.glob("phrases-*.npz"), key=lambda path: path.stat().st_mtime,
                  reverse=True)
    for path in kept:
        try:
            classifier = Classifier.load(path)
        except Exception:  # noqa: BLE001 - a damaged one is learned again when it is needed
            continue
        known = [p for p in config.phrases if p in classifier.phrases]
        if set(known) & set(config.stopping):
            return EmbeddingRecogniser(classifier.phrases, classifier=classifier,
                                       embedder=Embedder(), sensitivity=config.sensitivity,
                                       phrase_sensitivity={
                                           p: s for p, s in config.phrase_sensitivity.items()
                                           if p in known}, only=known)
    return None


def embedding(config: Config, phrases: tuple[str, ...], store: Path, *,
              enrolled: dict[str, list[np.ndarray]], exclude: Iterable[str] = (),
              progress: Callable[[str], None] = lambda message: None) -> Recogniser:
    """An embedding recogniser for ``phrases``, its classifier learned (or loaded) in
    ``store``."""
    from .hearing.embedding import Embedder, EmbeddingRecogniser
    from .learning.learn import load_or_train

    classifier = load_or_train(phrases, store, enrolled=enrolled, exclude=exclude,
                               progress=progress)
    return EmbeddingRecogniser(phrases, classifier=classifier, embedder=Embedder(),
                               sensitivity=config.sensitivity,
                               phrase_sensitivity={p: s for p, s in
                                                   config.phrase_sensitivity.items()
                                                   if p in phrases})
