"""Every setting, once: a frozen dataclass field with its default, its meaning and where it
stands in ``config.yaml`` (``key``). The file's checking (``schema.py``) and reading
(``load.py``) are derived from these fields, so a setting is added here and nowhere else.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal

#: Intents every configuration must give at least one phrase for.
REQUIRED_INTENTS = ("pause", "help", "breathe", "body_scan", "ground", "resume", "quiet")
#: Voice controls a user may add; each only acts while a routine that supports it runs.
OPTIONAL_INTENTS = ("slower", "faster", "skip", "repeat", "next", "what_can_i_say")
INTENTS = REQUIRED_INTENTS + OPTIONAL_INTENTS
#: Built-in breathing patterns: inhale, hold, exhale, hold (seconds).
BUILTIN_PATTERNS: dict[str, tuple[float, ...]] = {
    "box": (4.0, 4.0, 4.0, 4.0),
    "4-7-8": (4.0, 7.0, 8.0, 0.0),
    # 5.5 breaths a minute: 10.9 s a breath, the exhale a little longer.
    "resonance": (4.9, 0.0, 6.0, 0.0),
}
#: How eagerly phrases are heard, 0 (hardly ever) to 1 (easily), unless the user says.
DEFAULT_SENSITIVITY = 0.6
#: A placeholder: a plain name in braces, such as ``{name}`` or ``{safe_place}``.
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: Bounds that keep every routine something that can be said (and rendered in memory).
LONGEST_BREATHING = 60.0  # minutes
LONGEST_WAIT = 600.0  # seconds of silence after a step
LONGEST_TEXT = 2000  # characters in one step, reminder or note
MOST_PHRASES = 100  # phrases in all
#: The routines every assistant has; ``routines`` may add any number of the user's own.
BUILTIN_ROUTINES = ("pause", "help", "breathing", "body_scan", "ground", "phrases")
#: A name for a routine of the user's own: lower case words joined by underscores.
ROUTINE_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
#: The answers a check-in listens for, in order: "zero" is 0 ... "ten" is 10.
RATINGS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
           "ten")
#: Placeholders every script may use besides the user's anchors.
TIME_PLACEHOLDERS = ("name", "weekday", "date", "time", "time_of_day", "month", "year")
#: A microphone or speaker: a name or number from ``grounding devices``, or empty.
Device = str | int | None
#: The keys of ``routines`` that are not a routine of the user's own.
STEP_ROUTINES = ("pause", "ground", "body_scan", "breathing")


class ConfigError(Exception):
    """The configuration cannot be used; ``problems`` holds one sentence each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def setting(default: Any = None, *, key: str | tuple[str, ...] | None = None,
            required: bool = False, read: Callable[..., Any] | None = None,
            factory: Callable[[], Any] | None = None, kind: str = "") -> Any:
    """A field that ``config.yaml`` sets: at ``key`` (in its group; a dotted path for the
    top-level ``Config``), ``required`` or with ``default``; ``read`` turns what the file
    holds into the field's value (given the value and the file's path), where the type's
    own conversion is not enough; ``kind`` names a group whose checking is written out in
    ``schema.py`` (the routines), where the field's type does not say it."""
    where = tuple(key.split(".")) if isinstance(key, str) else key
    meta = {"key": where, "required": required, "read": read, "kind": kind}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


def normalise_phrase(text: str) -> str:
    return " ".join(re.sub(r"[^\w' ]+", " ", text.lower()).split())


@dataclass(frozen=True)
class Step:
    """One piece of a script: words to say, then silence."""

    say: str = setting(key="say", required=True)
    """Text spoken aloud; may hold placeholders such as ``{name}``."""
    wait: float = setting(0.0, key="wait")
    """Seconds of silence after the words."""
    region: str = setting("", key="region")
    """Body region this step is about (body scan); used by ``skip``."""


@dataclass(frozen=True)
class Breathing:
    """How the breathing pacer sounds and how long it runs."""

    pattern: str = setting("resonance", key="pattern")
    """Name of a pattern in ``patterns``."""
    patterns: dict[str, tuple[float, ...]] = setting(
        key="patterns", factory=lambda: dict(BUILTIN_PATTERNS),
        read=lambda own, path: dict(BUILTIN_PATTERNS) | {
            name: tuple(float(x) for x in phases) for name, phases in own.items()})
    """Inhale, hold, exhale, hold seconds for each pattern name (the file's are added to the
    built-in ones)."""
    cycles: int = setting(0, key="cycles")
    """Number of breaths; 0 means use ``minutes``."""
    minutes: float = setting(3.0, key="minutes")
    """Length in minutes when ``cycles`` is 0."""
    cues: dict[str, str] = setting(
        key="cues", factory=lambda: {"inhale": "in", "hold": "hold", "exhale": "out"},
        read=lambda own, path: {"inhale": "in", "hold": "hold", "exhale": "out"} | own)
    """Word spoken at the start of each phase (the file may give some of them)."""
    tone: bool = setting(True, key="tone")
    """A soft tone rising on the inhale and falling on the exhale."""
    count: bool = setting(False, key="count")
    """Count the seconds of each phase aloud."""
    intro: str = setting("", key="intro")
    """Said once before the first breath."""
    outro: str = setting("", key="outro")
    """Said once after the last breath."""
    hold_caution: str = setting("This pattern holds the breath. If holding feels like too "
                                "little air, breathe normally at any time.",
                                key="hold_caution")
    """Said before the first breath of a pattern that holds the breath."""


@dataclass(frozen=True)
class Checkins:
    """Asking how strong the distress is, 0 to 10, before and after a routine."""

    enabled: bool = setting(False, key="enabled")
    before: str = setting("How strong is the distress right now, from zero to ten?",
                          key="before")
    after: str = setting("And now, from zero to ten?", key="after")
    thanks: str = setting("{rating}, thank you.", key="thanks")
    """Said when a rating is heard; ``{rating}`` is the number."""
    again: str = setting("From zero to ten, or say nothing and we go on.", key="again")
    """Asked once more, briefly, when no rating was heard."""
    offer: str = setting("If it would help, you can say {help} to hear your people and your "
                         "plan, or {pause} for a pause.", key="offer")
    """Said after a high rating at the end of a routine: an offer, never a decision;
    ``{help}`` and ``{pause}`` are the first help and pause phrases."""
    high: int = setting(8, key="high")
    """A rating after a routine at or above this brings the offer."""
    wait: float = setting(6.0, key="wait")
    """Seconds it waits for an answer after asking; then it asks once more, then goes on."""
    routines: tuple[str, ...] = setting(("breathing", "body_scan", "ground"), key="routines")
    """Routines asked about (the pause and help routines never wait for a check-in)."""


@dataclass(frozen=True)
class Contact:
    """A person or a line that help reads out."""

    name: str = setting(key="name", required=True)
    relation: str = setting("", key="relation")
    phone: str = setting("", key="phone")
    note: str = setting("", key="note")
    say_as: str = setting("", key="say_as")
    """What to call it aloud in discreet mode (a helpline can be "my line")."""

    def spoken_name(self, discreet: bool) -> str:
        return self.say_as if discreet and self.say_as else self.name


@dataclass(frozen=True)
class Emergency(Contact):
    """The emergency number: read first, its number required, its name optional."""

    name: str = setting("the emergency number", key="name")
    phone: str = setting(key="phone", required=True)


@dataclass(frozen=True)
class Config:
    """Everything the assistant needs, checked."""

    path: Path
    name: str = setting(key="user.name", required=True)
    anchors: dict[str, str] = setting(key="user.anchors", factory=dict)
    words: dict[str, tuple[str, ...]] = setting(
        key="listen.words", required=True, factory=dict,
        read=lambda words, path: {intent: tuple(normalise_phrase(p) for p in phrases)
                                  for intent, phrases in words.items()})
    """Intent name to the user's own phrases (lower case)."""
    engine: Literal["auto", "whisper", "embedding", "pocketsphinx", "vosk"] = setting(
        "auto", key="listen.engine")
    model: Path | None = setting(None, key="listen.model",
                                 read=lambda model, path: path.parent / model if model else None)
    sensitivity: float = setting(DEFAULT_SENSITIVITY, key="listen.sensitivity")
    """0 (hardly ever triggers) to 1 (triggers easily); applies to every phrase."""
    phrase_sensitivity: dict[str, float] = setting(
        key="listen.phrase_sensitivity", factory=dict,
        read=lambda given, path: {normalise_phrase(k): float(v) for k, v in given.items()})
    fast_stop: bool = setting(True, key="listen.fast_stop")
    """Learn how the phrases sound (once, in the background): they are heard better in
    noise, and the voice stops the moment a pause phrase is said, not only once the check has
    heard it."""
    input_device: Device = setting(None, key="listen.input_device")
    output_device: Device = setting(None, key="voice.output_device")
    speech: Literal["piper", "espeak"] = setting("piper", key="voice.engine")
    """Which voice speaks: the natural Piper voice (espeak-ng where Piper is not installed), or
    espeak-ng."""
    rate: int = setting(130, key="voice.rate")
    """Words a minute while speaking (the quiet between steps not counted), either voice."""
    volume: float = setting(1.0, key="voice.volume")
    voice: str = setting("", key="voice.voice")
    scripts: dict[str, tuple[Step, ...]] = setting(key=("routines",), required=True,
                                                   factory=dict, kind="routines")
    """The steps of every routine made of steps (``pause``, ``ground``, ``body_scan`` and
    the user's own), by name."""
    own_routines: tuple[str, ...] = setting(
        (), key=("routines",), read=lambda routines, path: tuple(
            name for name in routines if name not in STEP_ROUTINES))
    """Names of the user's own routines (their steps are in ``scripts``)."""
    skip_regions: tuple[str, ...] = setting(
        (), key=("routines", "body_scan", "skip"),
        read=lambda regions, path: tuple(r.lower() for r in regions))
    breathing: Breathing = setting(key=("routines", "breathing"), factory=Breathing)
    contacts: tuple[Contact, ...] = setting((), key="contacts.people")
    crisis_line: Contact | None = setting(None, key="contacts.crisis_line")
    emergency: Emergency | None = setting(None, key="contacts.emergency", required=True)
    lines: tuple[Contact, ...] = setting((), key="contacts.lines")
    """Other public lines for where the person lives (read after the crisis line)."""
    place: str = setting("", key="contacts.place")
    """The country (or place) the emergency number and the public lines are for."""
    reminders: tuple[str, ...] = setting((), key="contacts.reminders")
    disclaimer: str = setting("", key="contacts.disclaimer")
    greeting: bool = setting(True, key="feedback.greeting")
    """Say that it is listening, and the pause phrase, when it starts."""
    chime: bool = setting(True, key="feedback.chime")
    """A soft, short sound before answering each phrase it acts on."""
    checkins: Checkins = setting(key=("checkins",), factory=Checkins)
    journal: bool = setting(True, key=("journal",))
    """Keep a private journal of sessions (never audio, never what else was said)."""
    discreet: bool = setting(False, key=("discreet",))
    """For when someone else may overhear: no greeting and nothing said at start, contacts
    read by the names given for them (``say_as``), a quieter voice, no routine names on the
    screen."""
    line_numbers: dict[tuple, int] = field(default_factory=dict, compare=False, repr=False)
    """Line of each key path in the file, for messages that point at a phrase."""

    @property
    def routines(self) -> tuple[str, ...]:
        """Every routine that can be said: the built-in ones, then the user's own."""
        return BUILTIN_ROUTINES + self.own_routines

    @property
    def intents(self) -> tuple[str, ...]:
        """Everything a phrase can ask for: the built-in intents and the user's routines."""
        return INTENTS + self.own_routines

    @property
    def phrases(self) -> tuple[str, ...]:
        """Every configured phrase, of every intent."""
        return tuple(p for ps in self.words.values() for p in ps)

    @property
    def stopping(self) -> tuple[str, ...]:
        """The phrases that stop the voice the moment a quick stage finds one, before the
        check has heard it: the pause phrases."""
        return tuple(self.words.get("pause", ()))

    @property
    def urgent(self) -> tuple[str, ...]:
        """The phrases whose miss would hurt most, the pause and help phrases: each gets
        every second chance to be heard (a quick stage's find of one in a short utterance
        has that utterance heard again with hints, even where it came out far from it)."""
        return tuple(self.words.get("pause", ())) + tuple(self.words.get("help", ()))

    @property
    def listened(self) -> tuple[str, ...]:
        """What the recogniser listens for: the phrases, and with check-ins the numbers that
        answer them (acted on only while a check-in waits for one)."""
        ratings = tuple(r for r in RATINGS if r not in self.phrases)
        return self.phrases + (ratings if self.checkins.enabled else ())

    def where(self, *path: str | int) -> str:
        """``file:line: key.path`` for messages about a part of this configuration."""
        return where(self.path, self.line_numbers, tuple(path))


def dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (("." if out else "") + str(part))
    return out or "(top level)"


def line_of(lines: dict[tuple, int], path: tuple) -> int:
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)


def where(file: Path, lines: dict[tuple, int], path: tuple) -> str:
    """``file:line: key.path``."""
    return f"{file}:{line_of(lines, path)}: {dotted(path)}"
