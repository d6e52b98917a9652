"""Read and check ``config.yaml`` once, at the edge, into frozen dataclasses.

Every problem is reported as one sentence naming the file, the key path and
the line, so a survivor and their therapist can find and fix it together.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

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


class ConfigError(Exception):
    """The configuration cannot be used; ``problems`` holds one sentence each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Step:
    """One piece of a script: words to say, then silence."""

    say: str
    """Text spoken aloud; may hold placeholders such as ``{name}``."""
    wait: float = 0.0
    """Seconds of silence after the words."""
    region: str = ""
    """Body region this step is about (body scan); used by ``skip``."""


@dataclass(frozen=True)
class Breathing:
    """How the breathing pacer sounds and how long it runs."""

    pattern: str = "resonance"
    """Name of a pattern in ``patterns``."""
    patterns: dict[str, tuple[float, ...]] = field(
        default_factory=lambda: dict(BUILTIN_PATTERNS))
    """Inhale, hold, exhale, hold seconds for each pattern name."""
    cycles: int = 0
    """Number of breaths; 0 means use ``minutes``."""
    minutes: float = 3.0
    """Length in minutes when ``cycles`` is 0."""
    cues: dict[str, str] = field(default_factory=lambda: {
        "inhale": "in", "hold": "hold", "exhale": "out"})
    """Word spoken at the start of each phase."""
    tone: bool = True
    """A soft tone rising on the inhale and falling on the exhale."""
    count: bool = False
    """Count the seconds of each phase aloud."""
    intro: str = ""
    """Said once before the first breath."""
    outro: str = ""
    """Said once after the last breath."""
    hold_caution: str = ("This pattern holds the breath. If holding feels like too little "
                         "air, breathe normally at any time.")
    """Said before the first breath of a pattern that holds the breath."""


@dataclass(frozen=True)
class Checkins:
    """Asking how strong the distress is, 0 to 10, before and after a routine."""

    enabled: bool = False
    before: str = "How strong is the distress right now, from zero to ten?"
    after: str = "And now, from zero to ten?"
    thanks: str = "{rating}, thank you."
    """Said when a rating is heard; ``{rating}`` is the number."""
    again: str = "From zero to ten, or say nothing and we go on."
    """Asked once more, briefly, when no rating was heard."""
    offer: str = ("If it would help, you can say {help} to hear your people and your plan, "
                  "or {pause} for a pause.")
    """Said after a high rating at the end of a routine: an offer, never a decision;
    ``{help}`` and ``{pause}`` are the first help and pause phrases."""
    high: int = 8
    """A rating after a routine at or above this brings the offer."""
    wait: float = 6.0
    """Seconds it waits for an answer after asking; then the routine simply goes on."""
    routines: tuple[str, ...] = ("breathing", "body_scan", "ground")
    """Routines asked about (the pause and help routines never wait for a check-in)."""


@dataclass(frozen=True)
class Contact:
    name: str
    relation: str = ""
    phone: str = ""
    note: str = ""
    say_as: str = ""
    """What to call it aloud in discreet mode (a helpline can be "my line")."""

    def spoken_name(self, discreet: bool) -> str:
        return self.say_as if discreet and self.say_as else self.name


@dataclass(frozen=True)
class Config:
    """Everything the assistant needs, checked."""

    path: Path
    name: str
    anchors: dict[str, str]
    words: dict[str, tuple[str, ...]]
    """Intent name to the user's own phrases (lower case)."""
    engine: str = "auto"
    model: Path | None = None
    sensitivity: float = DEFAULT_SENSITIVITY
    """0 (hardly ever triggers) to 1 (triggers easily); applies to every phrase."""
    phrase_sensitivity: dict[str, float] = field(default_factory=dict)
    fast_stop: bool = True
    """Learn how the pause phrases sound (once, in the background), so that the voice stops
    the moment one is said, not only once the check has heard it."""
    input_device: str | int | None = None
    output_device: str | int | None = None
    rate: int = 150
    volume: float = 1.0
    voice: str = ""
    scripts: dict[str, tuple[Step, ...]] = field(default_factory=dict)
    """``pause``, ``ground`` and ``body_scan`` scripts."""
    skip_regions: tuple[str, ...] = ()
    breathing: Breathing = field(default_factory=Breathing)
    contacts: tuple[Contact, ...] = ()
    crisis_line: Contact | None = None
    emergency: Contact | None = None
    lines: tuple[Contact, ...] = ()
    """Other public lines for where the person lives (read after the crisis line)."""
    place: str = ""
    """The country (or place) the emergency number and the public lines are for."""
    reminders: tuple[str, ...] = ()
    disclaimer: str = ""
    own_routines: tuple[str, ...] = ()
    """Names of the user's own routines (their steps are in ``scripts``)."""
    greeting: bool = True
    """Say that it is listening, and the pause phrase, when it starts."""
    chime: bool = True
    """A soft, short sound before answering each phrase it acts on."""
    checkins: Checkins = field(default_factory=Checkins)
    journal: bool = True
    """Keep a private journal of sessions (never audio, never what else was said)."""
    discreet: bool = False
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
    def listened(self) -> tuple[str, ...]:
        """What the recogniser listens for: the phrases, and with check-ins the numbers that
        answer them (acted on only while a check-in waits for one)."""
        ratings = tuple(r for r in RATINGS if r not in self.phrases)
        return self.phrases + (ratings if self.checkins.enabled else ())

    def where(self, *path: str | int) -> str:
        """``file:line: key.path`` for messages about a part of this configuration."""
        return Checker(self.path, self.line_numbers).where(tuple(path))


# --------------------------------------------------------------------------
# Schema. Each key maps to a type description:
#   str, float, int, bool   plain scalars (int accepted for float)
#   ("list", T)             a list of T
#   ("map", T)              free-form keys, values of T
#   {"key": T, ...}         a fixed set of keys
#   ("one_of", a, b, ...)   one of the given strings
#   ("device",)             device name or index, or null
#   a dict's "*"            any other key, with values of that type
STEP = {"say": str, "wait": float, "region": str}
PERSON = {"name": str, "relation": str, "phone": str, "note": str, "say_as": str}
CRISIS = {"name": str, "phone": str, "note": str, "say_as": str}
EMERGENCY = {"name": str, "phone": str, "note": str}
SCHEMA: dict[str, Any] = {
    "user": {"name": str, "anchors": ("map", str)},
    "listen": {
        "engine": ("one_of", "auto", "whisper", "embedding", "pocketsphinx", "vosk"),
        "model": str,
        "input_device": ("device",),
        "sensitivity": float,
        "phrase_sensitivity": ("map", float),
        "fast_stop": bool,
        "words": ("map", ("list", str)),
    },
    "voice": {"rate": int, "volume": float, "voice": str, "output_device": ("device",)},
    "feedback": {"greeting": bool, "chime": bool},
    "checkins": {"enabled": bool, "before": str, "after": str, "thanks": str, "again": str,
                 "offer": str, "high": int, "wait": float, "routines": ("list", str)},
    "journal": bool,
    "discreet": bool,
    "routines": {
        "pause": ("list", STEP),
        "ground": ("list", STEP),
        "body_scan": {"skip": ("list", str), "steps": ("list", STEP)},
        "breathing": {
            "pattern": str, "cycles": int, "minutes": float, "tone": bool, "count": bool,
            "intro": str, "outro": str, "hold_caution": str,
            "cues": {"inhale": str, "hold": str, "exhale": str},
            "patterns": ("map", ("list", float)),
        },
        "*": ("list", STEP),  # a routine of the user's own
    },
    "contacts": {
        "place": str,
        "people": ("list", PERSON),
        "emergency": EMERGENCY,
        "crisis_line": CRISIS,
        "lines": ("list", CRISIS),
        "reminders": ("list", str),
        "disclaimer": str,
    },
}
REQUIRED_KEYS = {("user",), ("user", "name"), ("listen",), ("listen", "words"), ("routines",),
                 ("contacts",), ("contacts", "emergency")}
#: Keys every entry of a kind must have, wherever it stands.
REQUIRED_FIELDS = {id(STEP): ("say",), id(PERSON): ("name",), id(CRISIS): ("name",),
                   id(EMERGENCY): ("phone",)}
TYPE_NAMES = {str: "text", float: "a number", int: "a whole number", bool: "true or false"}


def dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (("." if out else "") + str(part))
    return out or "(top level)"


class Checker:
    """Collects problems with the file name, key path and line of each."""

    def __init__(self, path: Path, lines: dict[tuple, int]):
        self.path, self.lines = path, lines
        self.problems: list[str] = []
        self.warnings: list[str] = []

    def line(self, path: tuple) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def where(self, path: tuple) -> str:
        return f"{self.path}:{self.line(path)}: {dotted(path)}"

    def error(self, path: tuple, message: str) -> None:
        self.problems.append(f"{self.where(path)}: {message}")

    def warn(self, path: tuple, message: str) -> None:
        self.warnings.append(f"{self.where(path)}: {message}")

    def check(self, value: Any, kind: Any, path: tuple) -> bool:
        """True when ``value`` fits ``kind``; otherwise records why."""
        if value is None and kind != ("device",):
            self.error(path, f"is empty; expected {describe(kind)}.")
            return False
        if isinstance(kind, dict):
            if not isinstance(value, dict):
                self.error(path, f"should be a group of settings, not {shown(value)}.")
                return False
            ok = True
            for key, item in value.items():
                if key in kind and key != "*":
                    ok &= self.check(item, kind[key], path + (key,))
                elif "*" in kind:
                    ok &= self.check(item, kind["*"], path + (key,))
                else:
                    known = ", ".join(kind)
                    self.error(path + (key,), f"is not a setting here; known settings are {known}.")
                    ok = False
            for key in kind:
                if (path + (key,) in REQUIRED_KEYS
                        or key in REQUIRED_FIELDS.get(id(kind), ())) and key not in value:
                    self.error(path, f"is missing '{key}'.")
                    ok = False
            return ok
        if isinstance(kind, tuple):
            tag = kind[0]
            if tag == "list":
                if not isinstance(value, list):
                    self.error(path, f"should be a list, not {shown(value)}.")
                    return False
                return all([self.check(v, kind[1], path + (i,)) for i, v in enumerate(value)])
            if tag == "map":
                if not isinstance(value, dict):
                    self.error(path, f"should be a group of named entries, not {shown(value)}.")
                    return False
                return all([self.check(v, kind[1], path + (k,)) for k, v in value.items()])
            if tag == "one_of":
                if value not in kind[1:]:
                    self.error(path, f"is {shown(value)}; use one of {', '.join(kind[1:])}.")
                    return False
                return True
            if tag == "device":
                if value is None or (isinstance(value, (str, int)) and not isinstance(value, bool)):
                    return True
                self.error(path, f"should be a device name or number, not {shown(value)}.")
                return False
        fits = {
            str: isinstance(value, str),
            bool: isinstance(value, bool),
            int: isinstance(value, int) and not isinstance(value, bool),
            float: isinstance(value, (int, float)) and not isinstance(value, bool),
        }[kind]
        if not fits:
            self.error(path, f"should be {describe(kind)}, not {shown(value)}.")
        return fits


def describe(kind: Any) -> str:
    if isinstance(kind, dict):
        return "a group of settings"
    if isinstance(kind, tuple):
        if kind[0] == "one_of":
            return "one of " + ", ".join(kind[1:])
        return {"list": "a list", "map": "a group of named entries", "device": "a device"}[kind[0]]
    return TYPE_NAMES[kind]


def shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a group of settings"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    return repr(value)


def line_map(node: yaml.Node, path: tuple = (), out: dict | None = None) -> dict[tuple, int]:
    """Map each key path in a composed YAML tree to its 1-based line."""
    out = {} if out is None else out
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = path + (key_node.value,)
            line_map(value_node, child, out)
            out[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            line_map(item, path + (i,), out)
    return out


def plain_tree(node: yaml.Node, path: Path) -> None:
    """Refuse what YAML allows but a hand-edited settings file never needs, before anything
    is built from it: a key written twice in one group (the second would silently replace
    the first, say a pause phrase), and aliases (``*name``), which can repeat a part of the
    file without limit (a few lines can expand to gigabytes)."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            raise ConfigError([f"{path}:{item.start_mark.line + 1}: this part is repeated "
                               "elsewhere with a YAML alias (*name); write it out instead."])
        seen.add(id(item))
        if isinstance(item, yaml.MappingNode):
            keys: dict[Any, int] = {}
            for key, value in item.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else id(key)
                line = key.start_mark.line + 1
                if name in keys:
                    raise ConfigError([f"{path}:{line}: '{name}' is written twice in the same "
                                       f"group (also on line {keys[name]}); keep one."])
                keys[name] = line
                stack += [key, value]
        elif isinstance(item, yaml.SequenceNode):
            stack += item.value


def normalise_phrase(text: str) -> str:
    return " ".join(re.sub(r"[^\w' ]+", " ", text.lower()).split())


def load(path: str | Path) -> tuple[Config, list[str]]:
    """Load and check a configuration; returns it with any warnings.

    Raises ``ConfigError`` with every problem found.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: the configuration file does not exist."]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot be read ({exc})."]) from None
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                plain_tree(node, path)  # before anything is built from it
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError([f"{path}:{line}: is not valid YAML ({reason})."]) from None
    except RecursionError:
        raise ConfigError([f"{path}:1: is nested too deeply to be a configuration."]) from None
    if data is None:
        raise ConfigError([f"{path}:1: the file is empty."])
    checker = Checker(path, line_map(node) if node is not None else {})
    if not checker.check(data, SCHEMA, ()):
        raise ConfigError(checker.problems)
    config = build(data, path, checker.lines)
    check_meaning(config, data, checker)
    if checker.problems:
        raise ConfigError(checker.problems)
    return config, checker.warnings


def given(section: dict, **fields: tuple[str, Callable[[Any], Any]]) -> dict[str, Any]:
    """The fields whose keys the user wrote, converted; absent ones keep the dataclass default,
    so each default is written once, in the dataclass."""
    return {name: convert(section[key]) for name, (key, convert) in fields.items()
            if key in section}


def same(value: Any) -> Any:
    return value


def build(data: dict, path: Path, lines: dict[tuple, int]) -> Config:
    user, listen, voice = data["user"], data["listen"], data.get("voice", {})
    routines, contacts = data["routines"], data["contacts"]
    breathing = routines.get("breathing", {})
    patterns = dict(BUILTIN_PATTERNS)
    for name, phases in breathing.get("patterns", {}).items():
        patterns[name] = tuple(float(x) for x in phases)
    cues = dict(Breathing().cues) | breathing.get("cues", {})

    def steps(items: list) -> tuple[Step, ...]:
        return tuple(Step(**given(s, say=("say", str), wait=("wait", float),
                                  region=("region", str))) for s in items)

    body = routines.get("body_scan", {})
    crisis, emergency = contacts.get("crisis_line"), contacts.get("emergency")
    own = tuple(name for name in routines if name not in SCHEMA["routines"])
    return Config(
        path=path,
        name=user["name"],
        anchors=dict(user.get("anchors", {})),
        words={intent: tuple(normalise_phrase(p) for p in phrases)
               for intent, phrases in listen["words"].items()},
        phrase_sensitivity={normalise_phrase(k): float(v)
                            for k, v in listen.get("phrase_sensitivity", {}).items()},
        scripts={name: steps(routines.get(name, [])) for name in ("pause", "ground") + own}
        | {"body_scan": steps(body.get("steps", []))},
        own_routines=own,
        skip_regions=tuple(r.lower() for r in body.get("skip", [])),
        breathing=Breathing(patterns=patterns, cues=cues, **given(
            breathing, pattern=("pattern", str), cycles=("cycles", int),
            minutes=("minutes", float), tone=("tone", bool), count=("count", bool),
            intro=("intro", str), outro=("outro", str),
            hold_caution=("hold_caution", str))),
        contacts=tuple(Contact(**c) for c in contacts.get("people", [])),
        crisis_line=Contact(**crisis) if crisis else None,
        lines=tuple(Contact(**c) for c in contacts.get("lines", [])),
        emergency=Contact(**{"name": "the emergency number"} | emergency) if emergency else None,
        reminders=tuple(contacts.get("reminders", [])),
        line_numbers=lines,
        **given(listen, engine=("engine", str), sensitivity=("sensitivity", float),
                fast_stop=("fast_stop", bool), input_device=("input_device", same),
                model=("model", lambda m: path.parent / m if m else None)),
        **given(voice, output_device=("output_device", same), rate=("rate", int),
                volume=("volume", float), voice=("voice", str)),
        **given(contacts, disclaimer=("disclaimer", str), place=("place", str)),
        **given(data.get("feedback", {}), greeting=("greeting", bool), chime=("chime", bool)),
        **given(data, journal=("journal", bool), discreet=("discreet", bool)),
        checkins=Checkins(**given(
            data.get("checkins", {}), enabled=("enabled", bool), before=("before", str),
            after=("after", str), thanks=("thanks", str), again=("again", str),
            offer=("offer", str),
            high=("high", int), wait=("wait", float), routines=("routines", tuple))),
    )


def check_meaning(config: Config, data: dict, checker: Checker) -> None:
    """Checks that go beyond types: phrases, ranges, placeholders."""
    words_path = ("listen", "words")
    seen: dict[str, str] = {}
    for i, name in enumerate(config.own_routines):
        if not ROUTINE_NAME.fullmatch(name) or name in INTENTS + BUILTIN_ROUTINES:
            checker.error(("routines", name), "is not a name a routine of your own can have; use "
                          "lower-case letters, digits and underscores (up to 40), and not the "
                          "name of an intent or a built-in routine.")
        elif name not in data["listen"]["words"]:
            checker.warn(("routines", name), f"has no phrases under listen.words.{name}, so only "
                         f"'grounding say {name}' starts it.")
    for intent, phrases in data["listen"]["words"].items():
        path = words_path + (intent,)
        if intent not in config.intents:
            checker.error(path, f"is not an intent nor a routine of yours; known intents are "
                          f"{', '.join(config.intents)}.")
            continue
        if not phrases:
            checker.error(path, "has no phrases; give at least one.")
        for i, raw in enumerate(phrases):
            phrase = normalise_phrase(raw)
            if not phrase:
                checker.error(path + (i,), "is an empty phrase.")
            elif phrase in seen and seen[phrase] != intent:
                checker.error(path + (i,), f"'{raw}' is also a phrase for '{seen[phrase]}'; "
                              "each phrase can only mean one thing.")
            elif phrase in seen:
                checker.error(path + (i,), f"'{raw}' is listed twice.")
            seen[phrase] = intent
    if len(seen) > MOST_PHRASES:
        checker.error(words_path, f"has {len(seen)} phrases; keep to {MOST_PHRASES} or fewer.")
    for intent in REQUIRED_INTENTS:
        if intent not in data["listen"]["words"]:
            checker.error(words_path, f"has no phrases for '{intent}'; every assistant needs one.")
    for phrase in config.phrase_sensitivity:
        if phrase not in seen:
            checker.error(("listen", "phrase_sensitivity", phrase), "is not one of the phrases "
                          "in listen.words.")
    for key, value in [("sensitivity", config.sensitivity)] + [
            (f"phrase_sensitivity.{k}", v) for k, v in config.phrase_sensitivity.items()]:
        if not 0.0 <= value <= 1.0:
            checker.error(("listen",) + tuple(key.split(".", 1)), f"is {value}; use a number "
                          "from 0 (hardly ever triggers) to 1 (triggers easily).")
    if config.engine == "vosk" and config.model is None:
        checker.error(("listen", "engine"), "is vosk but listen.model names no model folder; run "
                      "scripts/download_model.py or choose pocketsphinx.")
    if config.model is not None and not config.model.is_dir() and config.engine == "vosk":
        checker.error(("listen", "model"), f"names {config.model}, which is not a folder; run "
                      "scripts/download_model.py to fetch the model.")
    if not 50 <= config.rate <= 400:
        checker.error(("voice", "rate"), f"is {config.rate}; use 50 to 400 words a minute.")
    if not 0.0 <= config.volume <= 1.0:
        checker.error(("voice", "volume"), f"is {config.volume}; use 0.0 to 1.0.")
    check_breathing(config, checker)
    check_scripts(config, data, checker)
    check_checkins(config, checker)


def check_checkins(config: Config, checker: Checker) -> None:
    c, base = config.checkins, ("checkins",)
    if not 0 <= c.high <= 10:
        checker.error(base + ("high",), f"is {c.high}; use a rating from 0 to 10.")
    if not 2.0 <= c.wait <= 30.0:
        checker.error(base + ("wait",), f"is {c.wait}; wait 2 to 30 seconds for an answer.")
    for i, name in enumerate(c.routines):
        if name not in config.routines or name in ("pause", "help", "phrases"):
            checker.error(base + ("routines", i), f"'{name}' cannot have check-ins; use "
                          "breathing, body_scan, ground or one of your own routines.")
    for key in ("before", "after", "thanks", "again", "offer"):
        text = getattr(c, key)
        if len(text) > LONGEST_TEXT:
            checker.error(base + (key,), f"is {len(text)} characters long; keep it under "
                          f"{LONGEST_TEXT}.")
        allowed = {"thanks": ("rating",), "offer": ("help", "pause")}.get(key, ())
        unknown = [n for n in placeholders(text) if n not in allowed]
        if unknown:
            checker.error(base + (key,), f"uses {{{unknown[0]}}}, which is not known here" +
                          (f"; only {', '.join('{' + a + '}' for a in allowed)} can be."
                           if allowed else "."))


#: Numbers set aside for fiction and examples: the UK's drama ranges (Ofcom) and the North
#: American 555-0100 to 555-0199. A contact with one of them is still the example's.
EXAMPLE_NUMBERS = re.compile(r"(44|0)(7700900|1632960|2079460|1134960|1144960|1154960|"
                             r"1174960|1184960|1214960|1314960|1414960|1614960|2890180|"
                             r"2920180|3069990|8081570|9098790)\d{3}|1?\d{3}55501\d\d")


def is_example_number(phone: str) -> bool:
    return bool(EXAMPLE_NUMBERS.fullmatch("".join(c for c in phone if c.isdigit())))


def is_example(person: Contact) -> bool:
    """A person still the example's (a number set aside for fiction, or so named): never
    read out by help."""
    return is_example_number(person.phone) or "(example)" in person.name.lower()


def contact_warnings(config: Config) -> list[str]:
    """Warnings (the file still works; ``check`` and ``setup`` say them) while the people are
    still the example's, and while no emergency number is set: help must not read out
    someone who does not exist, nor leave out the number that matters most."""
    found = []
    for i, person in enumerate(config.contacts):
        if is_example(person):
            found.append(f"{config.where('contacts', 'people', i)}: {person.name} is still the "
                         "example's contact (help does not read it out); put in someone of "
                         "your own, or delete the entry.")
    if config.emergency is None or not any(c.isdigit() for c in config.emergency.phone):
        found.append(f"{config.where('contacts', 'emergency')}: has no number; write the "
                     "emergency number for where you live (112 works in many countries), so "
                     "help can say it first.")
    return found


def check_breathing(config: Config, checker: Checker) -> None:
    b = config.breathing
    base = ("routines", "breathing")
    for name, phases in b.patterns.items():
        path = base + ("patterns", name)
        if len(phases) != 4 or any(p < 0 for p in phases):
            checker.error(path, "should be four seconds: inhale, hold, exhale, hold.")
            continue
        rate = 60.0 / sum(phases) if sum(phases) else float("inf")
        if phases[0] <= 0 or phases[2] <= 0 or not 3.0 <= rate <= 10.0:
            checker.error(path, f"gives {rate:.1f} breaths a minute; keep inhale and exhale above "
                          "zero and the pace between 3 and 10 breaths a minute.")
    if b.pattern not in b.patterns:
        checker.error(base + ("pattern",), f"is '{b.pattern}'; choose one of "
                      f"{', '.join(b.patterns)}.")
    if not 0 < b.minutes <= LONGEST_BREATHING:
        checker.error(base + ("minutes",), f"is {b.minutes}; use more than 0 and at most "
                      f"{LONGEST_BREATHING:g} minutes.")
    phases = b.patterns.get(b.pattern, ())
    if b.cycles < 0 or b.cycles * sum(phases) > LONGEST_BREATHING * 60:
        checker.error(base + ("cycles",), f"is {b.cycles}; use 0 (then minutes counts) or a "
                      f"number of breaths that takes at most {LONGEST_BREATHING:g} minutes.")


def placeholders(text: str) -> list[str]:
    """What stands in braces in ``text``: a placeholder's name, or whatever else was written
    there (which ``check`` then names as unknown)."""
    return re.findall(r"\{([^{}]*)\}", text)


def check_scripts(config: Config, data: dict, checker: Checker) -> None:
    known = set(TIME_PLACEHOLDERS) | set(config.anchors)
    texts: list[tuple[tuple, str]] = []
    routines = data["routines"]
    for name in ("pause", "ground") + config.own_routines:
        texts += [(("routines", name, i, "say"), s.say) for i, s in enumerate(config.scripts[name])]
    texts += [(("routines", "body_scan", "steps", i, "say"), s.say)
              for i, s in enumerate(config.scripts["body_scan"])]
    for key in ("intro", "outro", "hold_caution"):
        texts.append((("routines", "breathing", key), getattr(config.breathing, key)))
    texts += [(("routines", "breathing", "cues", k), v) for k, v in config.breathing.cues.items()]
    texts += [(("contacts", "reminders", i), r) for i, r in enumerate(config.reminders)]
    texts.append((("contacts", "disclaimer"), config.disclaimer))
    for i, person in enumerate(config.contacts):
        texts += [(("contacts", "people", i, key), getattr(person, key))
                  for key in ("name", "relation", "phone", "note", "say_as")]
    for key in ("emergency", "crisis_line"):
        line = getattr(config, key)
        if line is not None:
            texts += [(("contacts", key, field), getattr(line, field))
                      for field in ("name", "phone", "note", "say_as")]
    for i, line in enumerate(config.lines):
        texts += [(("contacts", "lines", i, field), getattr(line, field))
                  for field in ("name", "phone", "note", "say_as")]
    for path, text in texts:
        for name in placeholders(text):
            if name not in known:
                checker.error(path, f"uses {{{name}}}, which is not known; use {{name}}, "
                              "{weekday}, {date}, {time}, {time_of_day} or one of user.anchors.")
    waits: list[tuple[tuple, float]] = [(("routines", n, i, "wait"), s.wait)
                                         for n in ("pause", "ground") + config.own_routines
                                         for i, s in enumerate(config.scripts[n])]
    waits += [(("routines", "body_scan", "steps", i, "wait"), s.wait)
              for i, s in enumerate(config.scripts["body_scan"])]
    for path, wait in waits:
        if not 0 <= wait <= LONGEST_WAIT:
            checker.error(path, f"is {wait}; a wait is 0 to {LONGEST_WAIT:g} seconds of "
                          "silence.")
    for path, text in texts:
        if len(text) > LONGEST_TEXT:
            checker.error(path, f"is {len(text)} characters long; keep each text under "
                          f"{LONGEST_TEXT}.")
    regions = {s.region.lower() for s in config.scripts["body_scan"]}
    for i, region in enumerate(config.skip_regions):
        if region not in regions:
            checker.error(("routines", "body_scan", "skip", i), f"'{region}' is not a region of "
                          "any body scan step.")
    if "pause" not in routines or not config.scripts["pause"]:
        checker.error(("routines",), "has no 'pause' steps; the pause word needs a routine.")
    for path, text in texts:
        spoken = " " + normalise_phrase(text) + " "
        for intent, phrases in config.words.items():
            for phrase in phrases:
                if phrase and f" {phrase} " in spoken:
                    checker.warn(path, f"says '{phrase}', a phrase for '{intent}'; the assistant "
                                 "could hear itself and react.")
