"""Two stages: a quick first stage on every block, and a real-speech check before acting.

Keyword spotting alone hears too few real voices and too many phrases that
were never said. Here every stretch of speech is also written down by
Whisper (a model learned from a great deal of real speech), and a phrase
counts only when it is found in what Whisper heard, compared by sound:

- **Utterance checks.** A simple voice detector follows the microphone; when
  someone stops talking (or after ``LONGEST`` seconds of talk), that stretch
  is transcribed and searched for every phrase. Any phrase works this way,
  with no dictionary and nothing to learn.
- **Candidate checks.** PocketSphinx keyword spotting runs on every block for
  the phrases whose words it knows, twice: at the configured sensitivity, and
  eagerly (the "scout"). What either hears is passed on at once as a
  ``candidate`` (so the pause phrase can silence the voice within a block:
  only a stop acts on a candidate, and the eager one finds more real voices
  in time), and the seconds around it are transcribed again, plainly and, if
  the phrase is not in that, with the user's phrases as hints: ``heard`` if
  Whisper then hears the phrase, ``rejected`` if not (so speech that was stopped
  can go on where it was).
- **The ear.** Once it has been learned (``grounding learn``, or by itself in the
  background the first time the assistant runs), a small classifier of speech
  embeddings listens for every phrase. It hears far more real voices than
  keyword spotting (94 of 100 real "computer"s, against 65; nine in ten in a
  noisy room, where keyword spotting misses most), so a phrase said in noise
  gets the hinted check it needs, and the voice stops on a pause phrase itself
  rather than on the check a second later; its finds are candidates, checked
  like the scout's.
- **A last look.** Where a hinted check (of a candidate, or of a short utterance
  that came out close to a phrase) still did not write the phrase, a larger Whisper
  (base, twice the work) hears those seconds with the same hints: in real household
  noise it hears phrases tiny.en loses (keyword clips at 10 dB: 93.7% heard, against
  88.7%); it is asked nothing in quiet, nor where the hinted text is talk
  (``_last_look``).
- **A window that fits.** Whisper's encoder hears 30 s, mostly silence after a short
  check; plain checks of seconds without the assistant's sound hear 15 (``WINDOW``), for
  less than half the work.
- **Hints, searched five ways.** Told the phrases, either model keeps five hypotheses
  at each step (``HINTED_BEAM``), where greedily a noisy "jarvis" became "and job it".
  A search writes hints into other speech more readily too, so what hints alone wrote
  counts only as a command said on its own: the phrase alone, with at most ``ALONE``
  other word (``_on_its_own``). Keyword clips in real noise: 94.7% at 10 dB, 85.0% at
  5 dB.

Hints make Whisper far readier to hear a phrase (alexa, computer and jarvis
by real people: 93% without, 99% with), but given on every stretch of
ordinary speech they also make it write a hint where none was said ("in the
still air, alexa fantastic figures"). So they are given only where something
already points at a phrase: a quick stage's find, or a short utterance, said on
its own as a command is, that came out close to a phrase ("Joffis" for
"jarvis"). While the assistant plays sound (``playing``), what Whisper writes may
be its own echo, misheard, so the second looks with hints change there
(``_near_misses``, ``_hintable``); but whether a phrase heard was the assistant's
own voice is decided elsewhere, from the sound (``deciding/own_voice.py``), never
from how it was found.

In a quiet room the quick stages rest (``REST``, ``WAKE``): listening costs next to
nothing until someone speaks, and the first word is still heard whole.

Everything happens in audio time, inside ``feed``: the same audio gives the
same answers, whatever the chunking and however fast it is replayed. Live
(``go_live``), the checks run on a worker thread instead and their answers
come with a later block, so the first stage never waits for Whisper.
"""
from __future__ import annotations

import collections
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from ..settings import DEFAULT_SENSITIVITY, RATINGS
from ..sound import IN_RATE
from .base import Deaf, Detection, Recogniser, Together
from .embedding import EmbeddingRecogniser
from .phonetic import Phonetic, words_of
from .ratings import rating_in
from .recent import Recent, VoiceDetector
from .whisper import FULL, Later, Transcriber

HANG = 0.4  # seconds of quiet that end an utterance
LONGEST = 8.0  # seconds of talk checked at once; the next check overlaps by ``OVERLAP``
OVERLAP = 2.0
BEFORE = 0.3  # seconds kept before the voice detector noticed speech
CONTEXT = 3.0  # seconds before a candidate's end that its check hears...
AFTER = 0.45  # ...and after it (the first stage reports a find as its last sound is said)
KEPT = 12.0  # seconds of audio kept for checks
#: The ear's find counts only if the voice detector heard speech this many seconds before: the
#: embeddings are much the same at any level, so it may "hear" a phrase in what is left of the
#: assistant's own voice once the echo canceller has taken out 50 dB of it.
VOICED = 0.5
REPEAT = 1.0  # seconds: the same phrase heard again this soon is the same saying
#: A short utterance (at most this many words more than the longest phrase) that sounds
#: somewhat like a phrase (within this share of its sounds) is heard again with hints.
SHORT = 3
NEAR = 0.65
#: Hypotheses Whisper keeps at each step where it is told the phrases (plain checks are
#: greedy): greedily, a real "jarvis" in real noise became "and job it", where a search of
#: five kept the name.
HINTED_BEAM = 5
#: Seconds Whisper's encoder hears at once in a plain check (told no phrases) of seconds with
#: none of the assistant's own sound. Trained on 30 s (``whisper.FULL``), mostly silence
#: after short speech, it attends to the silence too; every check here is shorter than
#: ``KEPT``, so 15 s hold it whole, for less than half the work (in 35 minutes of read
#: speech, 0.33 s of one core a check, against 0.79 s: listening to talk, 0.540 of a core
#: -> 0.358, side by side). Keyword clips in real noise at 10 dB were heard as often either
#: way with the same ear (93.7%). Checks told the phrases hear the full window (in 15 s,
#: hinted, 52 of 60 noisy clips against 57), and so do checks over the assistant's own
#: voice (in 15 s, 33 of 36 commands said during routines were heard, against 35).
WINDOW = 15
#: What hints alone wrote counts with at most this many words besides the phrase
#: (``_on_its_own``).
ALONE = 1
#: A stopping phrase that a quick stage has just found is heard in a transcript this much
#: further from it (as a share of its sounds): two stages agree, and under the assistant's
#: own voice a word of it is often masked ("thought right now" for "pause right now").
AGREED = 0.1
#: In a quiet room the quick stages rest: after ``REST`` seconds in which the voice detector
#: heard no speech they are given no audio. Its first block of speech wakes them, and they
#: hear the ``WAKE`` seconds before it first, so a first word too soft for the voice
#: detector is still part of the phrase they hear.
REST = 2.0
WAKE = 1.0


def tolerance(sensitivity: float) -> float:
    """How far (as a share of the phrase's phonemes) what was heard may differ from the
    phrase: 0.2 at the default sensitivity of 0.6 ("computed" is 0.25 from "computer")."""
    return round(float(np.clip(0.02 + 0.3 * sensitivity, 0.05, 0.45)), 3)  # 1 in 5 is 0.2


@dataclass
class Pending:
    """A first-stage candidate waiting for its check."""

    phrase: str
    start: float
    end: float
    due: int  # sample at which the check runs


class TwoStageRecogniser(Recogniser):
    block = 160
    echo_cancel = True  # the first stage is PocketSphinx, which the echo canceller helps

    def __init__(self, phrases: Iterable[str], *, transcriber: Transcriber,
                 first: Recogniser | None, scout: Recogniser | None = None,
                 ear: Recogniser | None = None, phonetic: Phonetic | None = None,
                 sensitivity: float = DEFAULT_SENSITIVITY,
                 phrase_sensitivity: dict[str, float] | None = None,
                 hinted: Iterable[str] | None = None, stopping: Iterable[str] = (),
                 urgent: Iterable[str] = (), larger: Transcriber | Later | None = None):
        """``hinted``: the phrases given to Whisper as hints (default all; a check-in's numbers
        are left out, so that Whisper is not made readier to write them). ``stopping``: the
        phrases whose candidate stops the voice: the only ones the ear listens for in the
        assistant's own output, and heard a little more readily where a quick stage found
        them (``AGREED``). ``urgent``: the phrases a miss of which hurts most (pause and
        help): a quick stage's find of one gets every second look (``_near_misses``, and
        ``_hintable`` over the assistant's own voice). ``larger``: a larger Whisper for one
        last look where the ``transcriber``, even with hints, did not write the phrase (a
        candidate's, or a near miss's)."""
        super().__init__(phrases)
        self.transcriber, self.first, self.scout, self.ear = transcriber, first, scout, ear
        self.larger = larger
        self.stopping, self.urgent = tuple(stopping), tuple(urgent)
        self.phonetic = phonetic or Phonetic()
        self.sensitivity, self.phrase_sensitivity = sensitivity, phrase_sensitivity
        self.tolerance = {p: tolerance((phrase_sensitivity or {}).get(p, sensitivity))
                          for p in self.phrases}
        self.hinted_phrases = tuple(self.phrases if hinted is None else hinted)
        #: A check-in's answers: read from a short transcript as a number (``ratings.py``).
        self.ratings = {p for p in self.phrases if p in RATINGS and p not in self.hinted_phrases}
        self.expected: tuple[str, ...] = ()  # answers a check-in waits for now
        for phrase in self.phrases:
            self.phonetic.sound(phrase)  # every phrase's phonemes found once, now
        self.recent = Recent(KEPT)
        self.voice = VoiceDetector()
        self.talk_from: int | None = None  # sample where the current utterance began
        self.last_talk = 0  # sample at the end of the last block with speech
        self.voiced = -10 * IN_RATE  # the same, for the ear's finds and for resting
        self.sounding = False  # the assistant plays sound as the next chunk is heard
        self.played = -10 * IN_RATE  # sample at the end of the last block heard as it did
        self.resting = False  # the quick stages: given no audio (from the first block on,
        # as nobody has spoken yet) until someone speaks
        self.rested_from = 0  # sample up to which they heard before they rested
        self.pending: list[Pending] = []
        self.confirmed: dict[str, float] = {}  # phrase -> end of its last confirmed saying
        self.candidates: dict[str, float] = {}  # phrase -> end of its last candidate
        self.checks = 0
        #: Finds of each quick stage, every one counted (the same saying found by two stages
        #: is one candidate), for the event log.
        self.finds: collections.Counter[str] = collections.Counter()
        #: Checks asked for, oldest first, each with what to do with its text.
        self.asked: collections.deque[tuple[Future[str], Callable[[str], list[Detection]]]] \
            = collections.deque()
        self.worker: ThreadPoolExecutor | None = None
        #: Handed out to hear the assistant's own output, each with its copy of the ear.
        self.eagers: list[tuple[Together, Recogniser | None]] = []
        self.longest = max((len(p.split()) for p in self.phrases), default=1)

    def fresh(self) -> TwoStageRecogniser:
        return TwoStageRecogniser(self.phrases, transcriber=self.transcriber,
                                  first=self.first.fresh() if self.first else None,
                                  scout=self.scout.fresh() if self.scout else None,
                                  ear=self.ear.fresh() if self.ear else None,
                                  phonetic=self.phonetic, sensitivity=self.sensitivity,
                                  phrase_sensitivity=self.phrase_sensitivity,
                                  hinted=self.hinted_phrases, stopping=self.stopping,
                                  urgent=self.urgent, larger=self.larger)

    def eager(self) -> Recogniser:
        """What notices phrases in the assistant's own output: the first stage and the ear,
        eagerly (an ear learned later joins it too: the ear may find its phrase in what is
        left of the assistant's voice, and must then know it for its own)."""
        ear = self._eager_ear(self.ear) if self.ear is not None else None
        parts = ([self.first.eager()] if self.first is not None else []) + ([ear] if ear else [])
        eager = Together(self.phrases, parts or [Deaf(self.phrases)])
        self.eagers.append((eager, ear))
        return eager

    def _eager_ear(self, ear: Recogniser) -> Recogniser:
        """The ear on the assistant's own output listens for the stopping phrases alone: a
        find there marks the person's same phrase, said just after, as the assistant's own
        voice (``deciding/own_voice.py``), and eagerly, on its own routines, the ear of every
        phrase found one of them hundreds of times an hour; only a stop needs telling from
        its echo at once (the checks tell the rest by what was written)."""
        if isinstance(ear, EmbeddingRecogniser):
            return ear.eager(only=self.stopping)
        return ear.eager()

    def missing_words(self) -> list[str]:
        return []  # Whisper writes down any word; phrases are compared by sound

    # -- the stream ---------------------------------------------------------------------------
    def go_live(self) -> None:
        """Transcribe on a worker thread from now on: the loop that hears the microphone (and
        the first stage, which stops the voice) never waits for a check."""
        if self.worker is None:
            self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="check")
            if isinstance(self.larger, Later):
                self.larger.ahead()

    def starting_at(self, samples: int) -> TwoStageRecogniser:
        self.samples = self.recent.total = self.last_talk = self.rested_from = samples
        for stage in (self.first, self.scout, self.ear):
            if stage is not None:
                stage.starting_at(samples)
        return self

    def expect(self, answers: tuple[str, ...]) -> None:
        """A check-in waits for one of ``answers`` (none: it waits for nothing): a short
        utterance in which no phrase was found is heard again, told the answers."""
        self.expected = tuple(a for a in answers if a in self.ratings)

    def hear_with(self, ear: Recogniser) -> None:
        """Listen with ``ear`` from the next block on (it was learned meanwhile), instead of
        any ear it had, and with an eager copy of it on the assistant's own output."""
        self.ear = ear.starting_at(self.samples)
        for i, (eager, old) in enumerate(self.eagers):
            new = self._eager_ear(ear)
            eager.join(new, instead_of=old)
            self.eagers[i] = (eager, new)

    def playing(self, sound: bool) -> None:
        self.sounding = sound

    def close(self) -> None:
        if self.worker is not None:
            self.worker.shutdown(wait=False, cancel_futures=True)

    def _block(self, block: np.ndarray) -> list[Detection]:
        self.recent.add(block)
        speech = self.voice(block)
        if speech:
            self.voiced = self.samples
        if self.sounding:
            self.played = self.samples
        found: list[Detection] = []
        since = self._quick(speech)
        for by, stage in (("keywords", self.first), ("scout", self.scout), ("ear", self.ear)):
            if stage is None or since is None:
                continue
            for d in stage.feed(self._from(stage, since)):
                if by == "ear" and self.samples - self.voiced > VOICED * IN_RATE:
                    continue  # it hears the shape of speech at any level: a whisper of echo
                found += self._candidate(d, by)  # a stop may act on it; nothing else, unchecked
                self._expect(d)
        for candidate in [p for p in self.pending if p.due <= self.samples]:
            if candidate in self.pending:  # a check before it may have settled it already
                self.pending.remove(candidate)
                self._check_candidate(candidate)
        self._follow_talk(speech)
        return found + self._answers()

    def _quick(self, speech: bool) -> int | None:
        """Where what the quick stages hear now begins: at this block; nowhere (they rest)
        once ``REST`` seconds have gone by without speech; on waking, ``WAKE`` seconds before
        this block, or where they stopped if that is later."""
        if not self.resting:
            if self.samples - self.voiced < REST * IN_RATE:
                return self.samples - self.block
            self.resting, self.rested_from = True, self.samples - self.block
        if not speech:
            return None
        self.resting = False
        return max(self.rested_from, self.samples - self.block - int(WAKE * IN_RATE))

    def _from(self, stage: Recogniser, since: int) -> np.ndarray:
        """The audio ``stage`` hears now, from sample ``since``: where it left off, it goes
        on; after a rest, it starts again on its own grid of blocks, so that it hears the
        same blocks as if it had never rested."""
        if since != stage.fed:
            since -= (since - stage.samples) % stage.block
            stage.starting_at(since)
        return self.recent.between(since, self.samples)

    def _candidate(self, d: Detection, by: str) -> list[Detection]:
        """A quick stage's find as a ``candidate``, once per saying (the quick stages often
        all find it)."""
        self.finds[by] += 1
        if self.candidates.get(d.phrase, -1e9) >= d.start:
            return []
        self.candidates[d.phrase] = d.end
        return [Detection(d.phrase, d.start, d.end, self.now, "candidate", by=by)]

    def _answers(self) -> list[Detection]:
        """What the checks that have finished found, in the order they were asked."""
        found: list[Detection] = []
        while self.asked and self.asked[0][0].done():
            text, then = self.asked.popleft()
            try:
                said = text.result()
            except Exception:  # noqa: BLE001 - a check that failed heard nothing; go on
                said = ""
            found += then(said)
        return found

    def _expect(self, d: Detection) -> None:
        """Check the seconds around ``d`` once it has ended (once for overlapping ones)."""
        if not any(p.phrase == d.phrase and p.end >= d.start for p in self.pending):
            self.pending.append(Pending(d.phrase, d.start, d.end,
                                        int(round((d.end + AFTER) * IN_RATE))))

    def _follow_talk(self, speech: bool) -> None:
        if speech:
            self.last_talk = self.samples
            if self.talk_from is None:
                self.talk_from = max(0, self.samples - self.block - int(BEFORE * IN_RATE))
        if self.talk_from is None:
            return
        if self.samples - self.last_talk >= HANG * IN_RATE:
            start, end, self.talk_from = self.talk_from, self.last_talk, None
            agreed = self._found(self.stopping, start, end)
            urgent = self._found(self.urgent, start, end)
            over_itself = self.played >= start

            def then(text: str) -> list[Detection]:
                found, _ = self._match(text, start, end, self.phrases, agreed=agreed)
                near = self._near_misses(text, urgent, over_itself=over_itself)
                if not found and near:  # said on its own, and close: listen again, with hints
                    def hinted(again: str, *, last: bool = False) -> list[Detection]:
                        heard = self._match(again, start, end, near, plain=text,
                                            agreed=agreed)[0]
                        if not heard and not last \
                                and self._last_look(near, again, over_itself=over_itself):
                            self._ask(start, end, self._hints(),
                                      lambda more: hinted(more, last=True), self.larger)
                        return heard
                    self._ask(start, end, self._hints(), hinted)
                elif not found and self.expected and len(words_of(text)) <= SHORT:
                    # A short answer while a check-in waits: listen again for a number.
                    self._ask(start, end, ", ".join(self.expected), lambda again: self._match(
                        again, start, end, self.expected)[0], beam=1)  # as measured
                return found
            self._ask(start, end, None, then)
        elif self.samples - self.talk_from >= LONGEST * IN_RATE:
            start, end = self.talk_from, self.samples
            self.talk_from = self.samples - int(OVERLAP * IN_RATE)
            agreed = self._found(self.stopping, start, end)
            self._ask(start, end, None, lambda text: self._match(text, start, end, self.phrases,
                                                                 agreed=agreed)[0])

    def _found(self, phrases: tuple[str, ...], start: int, end: int) -> tuple[str, ...]:
        """Those of ``phrases`` a quick stage found within samples ``start`` to ``end``."""
        return tuple(p for p in phrases if start / IN_RATE <= self.candidates.get(
            p, -1e9) <= end / IN_RATE + AFTER)

    def _near_misses(self, text: str, found: tuple[str, ...] = (), *,
                     over_itself: bool = False) -> tuple[str, ...]:
        """Phrases to listen for again, with hints, in a check's ``text`` that held none: if
        the text was short (as a command said on its own is), those it came close to, and
        the urgent ones a quick stage ``found`` there however far it came out (under the
        assistant's voice "read my safety plan" was written "Spread my shield."). Over the
        assistant's own voice (``over_itself``: it played sound in those seconds) only those
        urgent ones: its echo, misheard, comes close to a phrase by itself ("See you next
        time." over "It is Saturday the 28th of November, in the morning", heard again with
        hints, became "see you next step"), and a person's command over it is checked where
        a quick stage found it (``_check_candidate``)."""
        words = words_of(text)
        if not words or len(words) > self.longest + SHORT:
            return ()
        return tuple(p for p in self.hinted_phrases if p in found or (
            not over_itself and self.phonetic.distance(p, text) <= NEAR))

    def _hintable(self, phrase: str, plain: str, *, over_itself: bool) -> bool:
        """Whether seconds whose plain transcript is ``plain`` may be heard again with hints
        for ``phrase``: only if Whisper wrote some words there (over no word at all, hints
        only make it invent one), and not amid talk (more than ``SHORT`` words besides the
        phrase: hints there wrote a phrase into a reader's sentence). An urgent phrase keeps
        that chance amid talk ``over_itself`` (the assistant played sound in those seconds),
        as the talk may be its own echo, with the person's words written into it; amid
        anyone else's talk it does not (in the babble of three readers, hints wrote "it was
        computer" for "it was computed")."""
        words = len(words_of(plain))
        return words > 0 and (phrase in self.urgent and over_itself
                              or words <= len(phrase.split()) + SHORT)

    def _on_its_own(self, text: str, heard: set[str], *, over_itself: bool) -> set[str]:
        """Of the phrases found in ``text``, written with hints, those it holds as a command
        said on its own: alone (two phrases are the hints written back), with at most
        ``ALONE`` other words. A search of five (``HINTED_BEAM``) writes hints into
        other speech: over a reader's "Brownie, she had more.", Whisper base wrote "be
        quiet now, alexa"; over "Tommy Fox", "time for alexa"; over "We'll check this
        word.", tiny.en wrote "with you, check this word here, jarvis please, tell". In real
        noise at 10 dB, every phrase heard thanks to hints came with one other word at most
        ("from alexa"); at 5 dB one came with two ("call me computer"). As in
        ``_hintable``, an urgent phrase over the assistant's own voice keeps its chance:
        the other words may be its echo."""
        count = len(words_of(text))
        return {p for p in heard if p in self.urgent and over_itself
                or len(heard) == 1 and count <= len(p.split()) + ALONE}

    def _last_look(self, phrases: tuple[str, ...], hinted: str, *, over_itself: bool) -> bool:
        """Whether the ``larger`` model hears again seconds that the transcriber, told the
        phrases, wrote as ``hinted`` without any of ``phrases``: over the assistant's own
        voice always (the other words may be its echo, and a command under it was missed
        without), elsewhere only where that text is no talk (``_hintable``). Over talk the
        larger model writes talk too, which counts for nothing (``_on_its_own``), and in 35
        minutes of read speech it was asked 104 times, for a fifth of all the checks' work."""
        return self.larger is not None and (over_itself or any(
            self._hintable(p, hinted, over_itself=False) for p in phrases))

    def _check_candidate(self, candidate: Pending) -> None:
        """The candidate's phrase ``heard`` or ``rejected``, and any other phrase heard in the
        same seconds (keyword spotting often takes one short word for another).

        Those seconds are written down plainly first, and again with the phrases as hints only
        if the plain transcript holds words but not the candidate's phrase, and is not
        talk (``_hintable``); the candidate's phrase is told last, nearest the
        speech, where Whisper heeds it most (keyword clips in real noise at 10 dB: 88.7%
        heard, against 84.7% with the phrases in their own order). Where Whisper
        plainly heard no word at all, hints only make it invent one: over what was left of
        the assistant's voice, the scout's "one more time" became "just be quiet now" (every
        real saying of alexa, computer and jarvis, clean and in real noise at 10 dB, was
        plainly written as some words). If the hinted check misses the phrase too, the
        ``larger`` model hears the seconds with the same hints, last. What the hints alone
        found carries the plain transcript: where that was the assistant's own words, it
        was its echo (``deciding/own_voice.py``)."""
        settled = self._settled(candidate)
        if settled is not None:  # answered already, by a check before it: no transcribing
            done: Future[str] = Future()
            done.set_result("")
            self.asked.append((done, lambda text: settled))
            return
        start = max(0, int(round((candidate.end - CONTEXT) * IN_RATE)))
        end = self.samples
        agreed = (candidate.phrase,) if candidate.phrase in self.stopping else ()
        tolerance = self.tolerance[candidate.phrase] + (AGREED if agreed else 0.0)
        over_itself = self.played >= start

        def then(plain: str, hinted: str | None, *, last: bool = False) -> list[Detection]:
            settled = self._settled(candidate)  # by a check that finished while this one ran
            if settled is not None:
                return settled
            phrases = self.phrases if hinted is None else tuple(  # amid talk: see _hintable
                p for p in self.phrases if self._hintable(p, plain, over_itself=over_itself))
            heard, found = self._match(plain if hinted is None else hinted, start, end,
                                       phrases, saying=candidate,
                                       plain=None if hinted is None else plain, agreed=agreed)
            if candidate.phrase not in found and hinted is not None and not last \
                    and self._last_look((candidate.phrase,), hinted, over_itself=over_itself):
                self._ask(start, end, self._hints(candidate.phrase),
                          lambda again: then(plain, again, last=True), self.larger)
                return heard
            if candidate.phrase not in found:
                heard.append(Detection(candidate.phrase, candidate.start, candidate.end,
                                       self.now, "rejected"))
            return heard

        def plainly(plain: str) -> list[Detection]:
            if self._settled(candidate) is None \
                    and self._hintable(candidate.phrase, plain, over_itself=over_itself) \
                    and self.phonetic.distance(candidate.phrase, plain) > tolerance:
                self._ask(start, end, self._hints(candidate.phrase),
                          lambda hinted: then(plain, hinted))
                return []
            return then(plain, None)  # heard plainly, or no word at all: nothing to hint at
        self._ask(start, end, None, plainly)

    def _hints(self, *last: str) -> str:
        """The phrases Whisper is told, ``last`` at the end, nearest the speech it hears."""
        return ", ".join([p for p in self.hinted_phrases if p not in last]
                         + [p for p in self.hinted_phrases if p in last])

    def _settled(self, candidate: Pending) -> list[Detection] | None:
        """Nothing more to say if the candidate's phrase was heard already; else None."""
        if self.confirmed.get(candidate.phrase, -1e9) < candidate.end - REPEAT:
            return None
        return []

    def _ask(self, start: int, end: int, hints: str | None,
             then: Callable[[str], list[Detection]],
             transcriber: Transcriber | Later | None = None, *, beam: int | None = None
             ) -> None:
        """Transcribe samples ``start`` to ``end`` (with ``hints``, by ``transcriber``, else
        the usual one; told hints, searching ``HINTED_BEAM`` ways unless ``beam`` says; a
        plain check of seconds without the assistant's sound in ``WINDOW``); ``then`` is
        given the text once it is there: at once, or, live, when the worker has it."""
        beam = beam or (HINTED_BEAM if hints else 1)
        window = FULL if hints or self.played >= start else WINDOW
        audio = self.recent.between(start, end)
        transcriber = transcriber or self.transcriber
        if len(audio) < IN_RATE // 4:
            text: Future[str] = Future()
            text.set_result("")
        elif self.worker is None:
            text = Future()
            text.set_result(transcriber.text(audio, hints=hints, beam=beam, window=window))
        else:
            text = self.worker.submit(transcriber.text, audio, hints=hints, beam=beam,
                                      window=window)
        if len(audio) >= IN_RATE // 4:
            self.checks += 1
        self.asked.append((text, then))

    def _match(self, text: str, start: int, end: int, phrases: tuple[str, ...], *,
               saying: Pending | None = None, plain: str | None = None,
               agreed: tuple[str, ...] = ()) -> tuple[list[Detection], set[str]]:
        """The ``phrases`` found in ``text`` (heard in samples ``start`` to ``end``), new ones
        as detections, and every phrase found, new or not. ``saying``: the candidate being
        checked, whose phrase is the saying it found (not one in the seconds before it). To
        tell the assistant's echo (``deciding/own_voice.py``), a phrase found only with hints
        carries the ``plain`` transcript of those seconds, and one that no quick stage found
        the ``text`` it was found in. ``agreed``: stopping phrases a quick stage found there,
        heard a little further from their sounds (``AGREED``)."""
        found: list[Detection] = []
        tolerance = {p: self.tolerance[p] + (AGREED if p in agreed else 0.0) for p in phrases}
        heard = {p for p in phrases if text and p not in self.ratings
                 and self.phonetic.distance(p, text) <= tolerance[p]}
        if plain is not None:  # found with hints: only as a command said on its own
            heard = self._on_its_own(text, heard, over_itself=self.played >= start)
        rating = rating_in(text) if not heard else None  # "one more time" is no rating
        heard |= {p for p in phrases if p in self.ratings and RATINGS.index(p) == rating}
        for phrase in (p for p in phrases if p in heard):
            since = saying.start if saying and saying.phrase == phrase else start / IN_RATE
            if self.confirmed.get(phrase, -1e9) >= since - REPEAT:
                continue  # already heard in an overlapping check
            self.confirmed[phrase] = end / IN_RATE
            self.pending = [p for p in self.pending if p.phrase != phrase or p.end > end]
            found.append(Detection(phrase, since, end / IN_RATE, self.now,
                                   count=1 if phrase in self.ratings else  # at the usual
                                   # tolerance: how often it was said, for the own-voice rules
                                   max(1, self.phonetic.count(phrase, text,
                                                              self.tolerance[phrase])),
                                   heard=plain if plain is not None else
                                   "" if saying else text))
        return found, heard
