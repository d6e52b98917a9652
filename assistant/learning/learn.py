"""Teach the embedding classifier the user's phrases, on the device, from synthetic speech.

Each phrase is spoken by several flite and espeak-ng voices at three rates and
two pitches, then placed in rooms (a little reverb) and noise. Ordinary speech
made of everyday words, noise and silence are the "none of them" examples, and
each phrase is an example against the others, so similar phrases are told
apart. The result is kept in the caller's store, named by the phrase list.
"""
from __future__ import annotations

import hashlib
import io
import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

from .. import store
from ..hearing.embedding import Classifier, Embedder, models_installed
from ..settings import normalise_phrase
from ..sound import IN_RATE
from .augment import glide, pink
from .enroll import digest, load
from .examples import (
    Examples,
    negative_windows,
    positive_windows,
    read_step,
    streamed,
    write_step,
)
from .lexicon import COMMON, dictionary, neighbours
from .network import fit
from .speakers import RATES, speak, voices

VERSION = 8  # change when the data or the network changes, so old caches are not used
ENROLLED_COPIES = 30  # augmented copies of each take of the user's own voice
#: The kind of thing the assistant itself says (calm guidance, dates, breathing cues, contacts),
#: so that its own voice from the speaker does not start anything. Written for this purpose;
#: the user's scripts are not used, so editing them never means learning again.
OWN_SPEECH = """Take your time, there is no hurry at all.
Let your shoulders drop a little, and let your hands rest.
Notice the floor under your feet and the chair holding you.
Look around the room and find something blue.
Listen for a sound far away, and then a sound close by.
It is Tuesday the fourteenth of March, it is late in the evening.
Today is Friday, the sixth of August, and it is early afternoon.
You are safe in this moment, and this feeling will pass.
In. Hold. Out. Hold. In. Out.
Breathe in slowly through your nose, and out through your mouth.
Follow the tone as it rises and falls.
Let the breath out be a little longer than the breath in.
Notice your hands, their warmth, the air against your skin.
If it feels okay, notice your legs, and let them be heavy.
You can open your eyes or keep them resting on one spot.
Your friend Alex, at home. Their number is in your phone.
The crisis line is open all day and all night, you can call or send a text.
You have a plan, and you have people who care about you.
Well done for staying with it, that took courage.
Let us finish here, and notice how you feel now.
This is a support tool, and it is not therapy or an emergency service.
Remember to drink some water and to eat something small.
Notice the colour of the walls and the light from the window.
Feel the weight of your body, the points where it touches the seat.
You can say your pause words whenever you like.
Picture the place where you feel calm, the sounds and the smells of it.
Hold the smooth stone in your hand and feel how cool it is.
Let your jaw soften and your tongue rest.
We will count slowly together, breathing in and breathing out.
The kettle is warm, and the tea is ready when you are.""".splitlines()


def cache_path(folder: Path, phrases: tuple[str, ...], voice: str = "", *,
               exclude: Iterable[str] = ()) -> Path:
    """Where the model for these phrases (and these enrolled takes, by digest) is kept."""
    what = (VERSION, sorted(phrases)) + ((sorted(exclude),) if exclude else ())
    key = hashlib.sha256(repr(what).encode()).hexdigest()[:16]
    return folder / (f"phrases-{key}-{voice}.npz" if voice else f"phrases-{key}.npz")


@dataclass
class Synthetic:
    """Everything learned from synthetic speech for a phrase list: the examples, each phrase's
    typical length, and the noises they were mixed with (enrolled takes get the same)."""

    examples: Examples
    durations: np.ndarray
    noises: list[np.ndarray]
    vocabulary: list[str]
    parts: list[Path] = field(default_factory=list)
    """Where the windows are, when they were streamed to files rather than held (their
    labels are in ``examples``, in the same order)."""


#: Synthetic examples kept for reuse inside ``keeping_examples()`` (tests learn the same
#: phrases with and without enrolled takes); None: nothing is kept, as in the product.
_kept: dict[tuple, Synthetic] | None = None


@contextmanager
def keeping_examples() -> Iterator[None]:
    """Within this block, learning the same phrases again reuses the synthetic examples."""
    global _kept
    before, _kept = _kept, {}
    try:
        yield
    finally:
        _kept = before


def train(phrases: tuple[str, ...], *, seed: int = 0,
          progress: Callable[[str], None] = lambda message: None,
          enrolled: dict[str, list[np.ndarray]] | None = None,
          exclude: Iterable[str] = (), work: Path | None = None) -> Classifier:
    """Synthesise, embed and fit; ``enrolled`` adds the user's own takes of some phrases.
    Words in ``exclude`` are never spoken as examples (a benchmark keeps its test words
    out this way); ``work`` keeps each finished step, to go on from after an interruption.
    Takes a few minutes for a dozen phrases."""
    key = (tuple(phrases), seed, frozenset(exclude))
    made = _kept.get(key) if _kept is not None else None
    if made is None:
        made = synthesise(phrases, seed=seed, exclude=set(exclude), progress=progress,
                          work=work)
        if _kept is not None:
            _kept[key] = made
    # Kept for another learning (tests): copy the list; else the examples are used up here.
    examples = Examples(list(made.examples.windows), list(made.examples.labels)) \
        if _kept is not None else made.examples
    own = Examples()  # the user's takes, after the synthetic examples
    if enrolled:
        progress("learning your own voice")
        add_enrolled(own, phrases, enrolled, made, np.random.default_rng([seed, 1]))
    if made.parts and work is not None:  # streamed from the files of the steps
        x = streamed(made.parts, own, work / "examples.npy")
        y = np.array(examples.labels + own.labels)
    else:
        examples.extend(own)
        x, y = examples.matrix(consume=_kept is None)
    progress(f"fitting on {len(y)} examples")
    return fit(x, y, phrases, made.durations, np.random.default_rng([seed, 2]))


def add_enrolled(examples: Examples, phrases: tuple[str, ...],
                 enrolled: dict[str, list[np.ndarray]], made: Synthetic,
                 rng: np.random.Generator) -> None:
    """The user's own takes, each in many rooms and noises, sometimes followed by speech."""
    embedder, talkers = Embedder(), voices()
    with tempfile.TemporaryDirectory() as tmpdir:
        for label, phrase in enumerate(phrases, start=1):
            for take in enrolled.get(phrase, []):
                for _ in range(ENROLLED_COPIES):
                    engine, voice = talkers[int(rng.integers(len(talkers)))]
                    after = speak(engine, voice, " ".join(rng.choice(made.vocabulary, 2)), 1.0,
                                  None, Path(tmpdir)) if rng.random() < 0.3 else None
                    windows, _ = positive_windows(take, embedder, rng, made.noises, after)
                    examples.add(windows, label)


def synthesise(phrases: tuple[str, ...], *, seed: int, exclude: set[str],
               progress: Callable[[str], None], work: Path | None = None) -> Synthetic:
    """Every example made from synthetic speech: the phrases alone and inside sentences,
    everyday speech, speech like the assistant's own, near-sounding words, noise alone.

    The work is done in steps (each phrase is one), each with its own random numbers, so a
    step gives the same examples whenever it runs. With ``work`` (a private folder), each
    finished step is kept there, and learning that was interrupted goes on from the first
    step not yet kept instead of starting over."""
    rng = np.random.default_rng(seed)
    embedder = Embedder()
    talkers = voices()
    banned = {w for p in phrases for w in p.split()} | exclude
    words = dictionary()
    sounds_like = {words[w] for w in banned if w in words}
    vocabulary = [w for w in COMMON if w not in banned and words.get(w) not in sounds_like]
    near = sorted({n for p in phrases for w in p.split() for n in neighbours(w, words, rng=rng)}
                  - banned)
    examples, durations = Examples(), []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        progress("making background noise")
        babble = sum(speak(e, v, " ".join(rng.choice(vocabulary, 200)), 1.0, 1.0,
                           tmp)[:IN_RATE * 40] for e, v in talkers[:3])
        noises = [pink(IN_RATE * 60, rng), np.resize(babble / np.std(babble), IN_RATE * 60),
                  rng.normal(size=IN_RATE * 60).astype(np.float32)]

        def phrase_step(label: int, phrase: str) -> Callable[[np.random.Generator],
                                                              Examples]:
            def step(rng: np.random.Generator) -> Examples:
                made, lengths = Examples(), []
                for engine, voice in talkers:
                    for rate in RATES:
                        for pitch in (0.85, 1.15):
                            clean = speak(engine, voice, phrase, rate, pitch, tmp)
                            windows, duration = positive_windows(clean, embedder, rng, noises)
                            lengths.append(duration)
                            made.add(windows, label)
                            # ...and inside a sentence, with words before and after it.
                            before = " ".join(rng.choice(vocabulary, int(rng.integers(1, 4))))
                            said = speak(engine, voice, f"{before} {phrase}", rate, pitch, tmp)
                            after = speak(engine, voice, " ".join(rng.choice(vocabulary, 2)),
                                          rate, pitch, tmp)
                            inside, _ = positive_windows(said, embedder, rng, noises, after)
                            made.add(inside, label)
                made.duration = float(np.median(lengths))
                return made
            return step

        def everyday(rng: np.random.Generator) -> Examples:
            made = Examples()
            for k, (engine, voice) in enumerate(talkers * 2):
                text = " ".join(rng.choice(vocabulary, 120))
                speech = speak(engine, voice, text, RATES[k % 3], (0.85, 1.0, 1.15)[k % 3], tmp)
                made.add(negative_windows(speech, embedder, rng, noises, piece=4.0), 0)
            return made

        def own_voice(rng: np.random.Generator) -> Examples:
            made = Examples()
            padded = [f" {normalise_phrase(t)} " for t in OWN_SPEECH]
            spoken = [t for t, words in zip(OWN_SPEECH, padded)
                      if not exclude & set(words.split())
                      and not any(f" {p} " in words for p in phrases)]
            for engine, voice in talkers if spoken else []:
                text = " ".join(rng.choice(spoken, min(6, len(spoken)), replace=False))
                speech = speak(engine, voice, text, RATES[int(rng.integers(3))], None, tmp)
                if rng.random() < 0.5:  # over the breathing tone
                    speech = speech + glide(len(speech), rng) * np.abs(speech).max() * 0.3
                made.add(negative_windows(speech, embedder, rng, noises, piece=4.0), 0)
            return made

        def close_words(rng: np.random.Generator) -> Examples:
            made = Examples()
            for engine, voice in talkers:
                single = list(rng.choice(vocabulary, 30)) + near
                rng.shuffle(single)
                speech = speak(engine, voice, " ".join(single), RATES[int(rng.integers(3))],
                               1.0, tmp, gap=True)
                made.add(negative_windows(speech, embedder, rng, noises), 0)
            for noise in [*noises, glide(IN_RATE * 30, rng)]:  # noise or tone, coming and going
                quiet = noise[:IN_RATE * 30] * 10 ** (rng.uniform(-40, -10) / 20)
                made.add(negative_windows(quiet, embedder, rng, noises[:1], piece=1.5), 0)
            return made

        steps = [(f"learning '{p}'", phrase_step(k, p)) for k, p in enumerate(phrases, 1)]
        steps += [("learning what is not a phrase", everyday),
                  ("learning its own voice", own_voice),
                  ("learning words and sounds that come close", close_words)]
        parts: list[Path] = []
        stream = work is not None and _kept is None  # held in memory only to be reused
        for i, (what, step) in enumerate(steps):
            kept = work / f"step-{i}" if work is not None else None
            made = read_step(kept, windows=not stream) if kept is not None else None
            if made is None:
                progress(f"{what} (step {i + 1} of {len(steps)})")
                made = step(np.random.default_rng([seed, 7, i]))
                if kept is not None:
                    write_step(kept, made)
            else:
                progress(f"{what} (step {i + 1} of {len(steps)}: done before)")
            if i < len(phrases):
                durations.append(made.duration)
            if stream and kept is not None:
                parts.append(kept.with_suffix(".npy"))
                examples.labels += made.labels  # the windows stay in their file
            else:
                examples.extend(made)
    return Synthetic(examples, np.array(durations), noises, vocabulary, parts)


def learned(phrases: tuple[str, ...], folder: Path, *, exclude: Iterable[str] = (),
            enrolled: dict[str, list[np.ndarray]] | None = None) -> bool:
    """Whether the model for these phrases and their enrolled takes (read from ``folder``
    unless given) is already learned. Asks the data folder alone; says so if the embedding
    models are missing."""
    models_installed()
    enrolled = load(folder, phrases) if enrolled is None else enrolled
    return cache_path(folder, phrases, digest(enrolled) if enrolled else "",
                      exclude=exclude).exists()


def load_or_train(phrases: tuple[str, ...], folder: Path, *,
                  enrolled: dict[str, list[np.ndarray]] | None = None,
                  exclude: Iterable[str] = (),
                  progress: Callable[[str], None] = lambda message: None) -> Classifier:
    """The learned model for these phrases (and takes), learning it first if need be.

    A kept model that cannot be read (cut short, damaged) is reported through ``progress``
    and learned again."""
    path = cache_path(folder, phrases, digest(enrolled) if enrolled else "", exclude=exclude)
    if path.exists():
        try:
            return Classifier.load(path)
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            progress(f"the learned model {path.name} is damaged; learning it again")
    # The synthetic examples do not depend on the takes: one work folder for the phrases.
    work = store.private_folder(folder / "learning" / cache_path(folder, phrases,
                                                                 exclude=exclude).stem)
    classifier = train(phrases, progress=progress, enrolled=enrolled, exclude=exclude,
                       work=work)
    buffer = io.BytesIO()
    classifier.save(buffer)
    store.write_private(path, buffer.getvalue())
    shutil.rmtree(work, ignore_errors=True)  # learned: the steps are not needed again
    return classifier
