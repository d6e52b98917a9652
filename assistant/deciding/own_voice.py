"""Whether a phrase heard was the assistant's own voice: decided here alone, from evidence
about the sound, never from how the phrase was found.

The microphone may hear the speaker. Three kinds of evidence say whether a phrase heard
came from it:

- **The echo** (``sound/echo.py``): whether the echo canceller has found any path from the
  speaker to the microphone at all (it takes the echo out of blocks that hold it alone),
  and how much of the microphone's sound over the phrase it left (a person's voice is left
  as it was; its own echo is taken out).
- **What it played**: the same phrase noticed by an eager recogniser in its own output a
  moment before, and the words it was saying then.
- **What the check wrote down**: a transcript that is mostly the words it was saying is its
  own voice, misheard.

The rules, in order, each naming the evidence that decided:

1. ``no echo``: the microphone does not hear the speaker (headphones, a recording with no
   echo in it, a speaker that is silent): nothing is its own voice.
2. ``echo only``: the microphone held nothing but the echo over the phrase.
3. The help and pause phrases are never dropped on anything less than that, or
   ``saying it``: the assistant was saying that very phrase then (the greeting names the
   pause phrase), the check did not hear it more times than that, and either the
   recogniser on its own output heard it say so, or the microphone held far more echo than
   anything else (``SAYING_LEFT``: the recogniser on the output can miss it on a busy
   machine). Anything else is ``in doubt``, and acted on: a missed help or pause is far
   worse than an unneeded routine.
4. ``transcript``: the check wrote down mostly its own words (without hints: where only the
   user's phrases given as hints made it write the phrase, the plain transcript of the same
   seconds is what counts).
5. ``said more``: heard more times than it was said or played then: the person said it too.
6. ``output``, ``words``: the phrase was in what it played, or in the words it was saying.
"""
from __future__ import annotations

import collections
import math
from dataclasses import dataclass, field
from typing import Iterable, Protocol

from ..hearing.base import Detection
from ..hearing.phonetic import Phonetic

#: Seconds before a phrase over which the canceller's measures tell whether the microphone
#: hears the speaker at all, which it does if the canceller took this share (6 dB) of the
#: microphone's energy out of the blocks that held the echo alone (with no echo path it
#: takes out nothing), or if the microphone's level followed what was played this closely
#: (a correlation at the delay that fits best: 0.8 to 0.97 from the first second with the
#: echo at -6 to -20 dB, before the canceller has learned the path; 0.34 and more with a
#: person louder than the echo talking over it; 0.04 to 0.33 with no echo, a person
#: talking or not). Until ``PLAYED`` seconds of sound have been played in that span, that
#: cannot be told, and an echo is assumed.
PATH_SPAN = 5.0
PATH = 0.75
COUPLED = 0.5
PLAYED = 1.0
#: A phrase over which the canceller left less than this share of the microphone's energy
#: (in the loudest 0.2 s it handed on) was heard in the echo alone: live, with the echo at
#: -6 dB, a person 6 dB under it left -0.1 to -9 dB; the echo alone, where what was left of
#: it still sounded like speech, -25 to -7 dB (the middle half), with the canceller before
#: SpeexDSP's; docs/benchmarks.md.
ECHO_ONLY = 0.01
#: The intents never dropped in doubt.
CRITICAL = ("pause", "help")
#: Said while it was saying that very phrase, with less than this share of the microphone
#: left over it (-10 dB: the echo alone left -25 to -7 dB, the middle half, a person 6 dB
#: under the echo -0.1 to -9 dB, nearly all above this).
SAYING_LEFT = 0.1
#: A phrase heard in the microphone is its own voice if an eager recogniser heard the same
#: phrase in what the assistant played, up to this many seconds before the phrase ended
#: (not before the check answered: live, on a busy machine, that can be seconds later).
OUTPUT_WINDOW = 1.5
#: Seconds of what the assistant said before a phrase (with what was being said then) that
#: the phrase is compared with.
TEXT_WINDOW = 6.0
#: Seconds after a short answer ends in which a phrase it named may still be its echo.
REPLY_ECHO = 0.5
#: A phrase heard while the assistant was saying words this close to it (the share of its
#: sounds that differ) is its own voice: "your body. You can" is 0.25 from "body scan".
OWN = 0.4
#: A check whose transcript is this close to what the assistant was saying (the share of its
#: sounds not found there) heard the assistant's echo: "one more time you can taste" for
#: "one thing you can taste" is 0.14; someone's "one more time" over five words of echo,
#: 0.2 to 0.35.
ECHOED = 0.25


class Echo(Protocol):
    """What the echo canceller measured (``sound.echo.EchoCanceller``)."""

    def taken(self, start: float, end: float) -> float: ...

    def coupling(self, start: float, end: float) -> tuple[float, float]: ...

    def left(self, start: float, end: float) -> float: ...


@dataclass(frozen=True)
class Verdict:
    own: bool
    """Whether the phrase was the assistant's own voice (and is not acted on)."""
    evidence: str
    """The evidence that decided (the module's docstring lists them); empty when nothing
    pointed at its own voice."""
    taken: float = field(default=0.0, compare=False)
    """What the canceller took out of the echo alone before the phrase (a share)."""
    coupling: float = field(default=0.0, compare=False)
    """How closely the microphone's level followed what was played before the phrase."""
    left: float = field(default=1.0, compare=False)
    """What it left of the microphone's sound over the phrase (a share)."""

    def measured(self) -> dict[str, float]:
        """The echo's measurements in dB, for the log."""
        def db(share: float) -> float:
            return round(10 * math.log10(max(share, 1e-9)), 1)
        return {"echo_taken_db": -db(1 - self.taken), "echo_left_db": db(self.left),
                "echo_coupling": round(self.coupling, 2)}


class OwnVoice:
    """What the assistant played, remembered a little while, and the rules that use it."""

    def __init__(self, phonetic: Phonetic | None = None):
        self.phonetic = phonetic or Phonetic()
        #: (when, phrase): each phrase heard in its own output, lately.
        self.in_output: collections.deque[tuple[float, str]] = collections.deque(maxlen=64)
        #: (from, until, text): what it said, each section or answer with its span (a section
        #: lasts until the next begins).
        self.spoken: collections.deque[tuple[float, float, str]] = collections.deque(maxlen=64)

    def played(self, found: Iterable[Detection]) -> None:
        """Phrases an eager recogniser noticed in what the assistant played."""
        self.in_output.extend((d.time, d.phrase) for d in found)

    def saying(self, at: float, text: str) -> None:
        """From ``at`` seconds on it says ``text`` (a section's words; empty: quiet)."""
        if self.spoken and self.spoken[-1][1] == float("inf"):
            start, _, before = self.spoken.pop()
            self.spoken.append((start, at, before))
        if text:
            self.spoken.append((at, float("inf"), text))

    def answered(self, start: float, end: float, text: str) -> None:
        """A short answer said from ``start`` to ``end`` over whatever else was said."""
        self.spoken.append((start, end, text))

    def text_around(self, d: Detection) -> str:
        """The words it said while ``d`` was heard and in the seconds before."""
        since = d.start - TEXT_WINDOW
        return " ".join(t for a, z, t in sorted(self.spoken)
                        if a <= d.end and z + REPLY_ECHO >= since)

    def judge(self, d: Detection, *, intent: str, echo: Echo | None) -> Verdict:
        """Whether ``d`` (a ``heard`` phrase or a first stage's ``candidate``) was the
        assistant's own voice, and the evidence that decided."""
        if echo is None:
            return Verdict(False, "no echo")
        taken, left = echo.taken(d.start - PATH_SPAN, d.end), echo.left(d.start, d.end)
        coupling, judged = echo.coupling(d.start - PATH_SPAN, d.end)

        def verdict(own: bool, evidence: str) -> Verdict:
            return Verdict(own, evidence, taken, coupling, left)

        if judged >= PLAYED and taken < PATH and coupling < COUPLED:
            return verdict(False, "no echo")
        if left < ECHO_ONLY:
            return verdict(True, "echo only")
        text = self.text_around(d)
        played = [at for at, phrase in self.in_output if phrase == d.phrase]
        times = self.phonetic.count(d.phrase, text, OWN) if text else 0
        in_output = any(d.end - at <= OUTPUT_WINDOW for at in played)
        more = d.count > max(sum(at >= d.start - OUTPUT_WINDOW for at in played), times)
        if intent in CRITICAL and d.kind == "heard":
            if times and not more and (in_output or left < SAYING_LEFT):
                return verdict(True, "saying it")
            return verdict(False, "in doubt")
        if d.heard and text and self.phonetic.unlike(d.heard, text) <= ECHOED:
            return verdict(True, "transcript")
        if more:
            return verdict(False, "said more")
        if in_output:
            return verdict(True, "output")
        if times:
            return verdict(True, "words")
        return verdict(False, "")
