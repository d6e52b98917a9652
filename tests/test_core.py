"""What the assistant decides, for every intent in every state, in the same process.

The hearing stage is replaced by a scripted recogniser that "hears" a phrase
at a given second; everything after it is real: the state machine, the
routines rendered by espeak-ng, the Player and the recorded output.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest

from assistant import settings as config_module
from assistant.build import build_assistant
from assistant.deciding.controls import STEP_FACTOR
from assistant.deciding.log import EventLog
from assistant.deciding.state import State
from assistant.hearing.base import Detection, Recogniser
from assistant.sound import IN_RATE, OUT_RATE
from assistant.sound.player import FADE_OUT, Player, WavRecorder
from assistant.speaking.answers import ANSWERS, GAP, greeting
from assistant.speaking.routines import render, spell_phone
from assistant.speaking.voice import Voice, VoiceError

from .conftest import ROOT
from .support.claims import ECHO_ALONE, PERSON, Emits, Measured

CHUNK = 320  # 20 ms, as the live loop feeds it
NOW = dt.datetime(2026, 3, 14, 9, 30)


class Scripted(Recogniser):
    """Hears each phrase of ``script`` (seconds -> phrase, or (phrase, times said), or
    (phrase, times said, what the check wrote down)) at that point of the audio."""

    def __init__(self, script: dict[float, str | tuple] | None = None):
        super().__init__(())
        self.script = dict(script or {})

    def _block(self, block: np.ndarray) -> list[Detection]:
        found = []
        for t in sorted(t for t in self.script if t <= self.now):
            what = self.script.pop(t)
            what = (what,) if isinstance(what, str) else what
            phrase, count, heard = what + (1, "")[len(what) - 1:]
            found.append(Detection(phrase, t - 0.8, t, self.now, count=count, heard=heard))
        return found

    def eager(self) -> Scripted:
        return Scripted()  # its own voice holds none of the phrases

    def fresh(self) -> Scripted:
        return Scripted()


@pytest.fixture(scope="module")
def config():
    loaded, _ = config_module.load(ROOT / "config.yaml")
    return loaded


@pytest.fixture(scope="module")
def voice(config):
    voice = Voice(rate=config.rate, volume=config.volume)
    for name in config.routines:
        render(name, config, voice, now=NOW)  # every sentence rendered once for the module
    return voice


class Run:
    """An assistant fed silence, with its phrases heard when the script says."""

    def __init__(self, config, voice, script: dict[float, str], echo: Measured | None = None):
        """``echo``: what the echo canceller measures (by default the real one, on a
        microphone that hears nothing: no echo at all)."""
        phrase = {intent: ps[0] for intent, ps in config.words.items()}
        self.records: list[dict] = []  # what the journal was handed
        self.log = EventLog()
        self.player = Player()
        self.recorder = WavRecorder(self.player)
        self.assistant = build_assistant(config, recogniser=Scripted(
            {t: phrase.get(what, what) for t, what in script.items()}), voice=voice,
            player=self.player, log=self.log, clock=lambda: NOW, cancel_echo=False,
            journal=self.records.append)
        if echo is not None:
            self.assistant.canceller = echo

    def until(self, seconds: float) -> Run:
        silence = np.zeros(CHUNK, np.int16)
        while self.assistant.now < seconds - 1e-9:
            self.recorder.advance_to(self.assistant.now + CHUNK / IN_RATE)
            self.assistant.feed(silence)
        return self

    def events(self, kind: str) -> list[dict]:
        return [e for e in self.log.events if e["event"] == kind]

    @property
    def output(self) -> np.ndarray:
        return np.concatenate(self.recorder.blocks)

    def plays(self, t: float, sound: np.ndarray, at: int = 0, seconds: float = 0.4,
              chimed: bool = True) -> None:
        """From ``t`` on, the output is the chime (when a phrase was answered), then ``sound``
        from sample ``at`` (what played before fades out under the first sound)."""
        i, fade, n = int(round(t * OUT_RATE)), int(FADE_OUT * OUT_RATE) + 1, int(seconds * OUT_RATE)
        if chimed:
            chime = self.assistant.chime
            np.testing.assert_allclose(self.output[i + fade:i + len(chime)], chime[fade:],
                                       atol=1e-6)
            i, fade = i + len(chime), 0
        assert len(self.output) >= i + n
        np.testing.assert_allclose(self.output[i + fade:i + n], sound[at + fade:at + n],
                                   atol=1e-6)

    def answers(self, t: float, text: str) -> None:
        """After the phrase heard at ``t``: the chime, then ``text`` said."""
        self.plays(t, self.assistant.voice.say(text))
        assert any(e["text"] == text and abs(e["t"] - t) < 0.03 for e in self.events("answer"))

    def routine(self) -> str | None:
        running = self.assistant.running
        return running.program.name if running and self.assistant.state is State.PLAYING \
            else None


def test_every_intent_has_exactly_one_handler(config, voice):
    assert set(Run(config, voice, {}).assistant.handlers) == set(config.intents)


@pytest.mark.parametrize("intent, routine", [
    ("pause", "pause"), ("help", "help"), ("breathe", "breathing"),
    ("body_scan", "body_scan"), ("ground", "ground")])
def test_a_routine_phrase_starts_its_routine_from_silence(config, voice, intent, routine):
    run = Run(config, voice, {1.0: intent}).until(2.0)
    assert run.routine() == routine
    start = run.events("routine_start")[0]
    assert (start["routine"], start["t"]) == (routine, 1.0)
    assert not run.output[:int(1.0 * OUT_RATE)].any()
    run.plays(1.0, render(routine, config, voice, now=NOW).sound)


@pytest.mark.parametrize("intent", ["pause", "help"])
def test_pause_and_help_stop_what_plays_and_remember_it_for_resume(config, voice, intent):
    run = Run(config, voice, {0.5: "body_scan", 20.0: intent}).until(21.0)
    assert run.routine() == ("pause" if intent == "pause" else "help")
    stops = run.events("speech_stop")
    assert [(s["routine"], s["reason"]) for s in stops] == [("body_scan", intent)]
    running, section = run.assistant.interrupted
    assert running.program.name == "body_scan" and section >= 1


def test_resume_goes_back_to_the_start_of_the_interrupted_section(config, voice):
    run = Run(config, voice, {0.5: "body_scan", 20.0: "pause", 22.0: "resume"}).until(23.0)
    assert run.routine() == "body_scan" and run.assistant.interrupted is None
    scan = render("body_scan", config, voice, now=NOW)
    section = scan.section_at(int(round((20.0 - 0.5) * OUT_RATE)))
    assert section >= 1
    run.plays(22.0, scan.sound, at=scan.marks[section].start)


def test_resume_with_nothing_interrupted_starts_nothing_and_says_so(config, voice):
    run = Run(config, voice, {0.5: "resume"}).until(6.0)
    assert run.routine() is None and not run.events("routine_start")
    assert not run.output[:int(0.5 * OUT_RATE)].any()
    run.answers(0.5, ANSWERS["nothing_to_resume"])


def test_quiet_stops_and_forgets_what_was_interrupted(config, voice):
    run = Run(config, voice, {0.5: "ground", 3.0: "pause", 4.0: "quiet", 8.0: "resume"})
    run.until(14.0)
    assert run.routine() is None
    assert [e["reason"] for e in run.events("routine_end")] == ["pause", "quiet"]
    run.answers(4.0, ANSWERS["quiet"])
    said = len(run.assistant.chime) + len(voice.say(ANSWERS["quiet"])) + GAP * OUT_RATE
    assert not run.output[int(4.0 * OUT_RATE + said) + 1:int(8.0 * OUT_RATE)].any(), \
        "quiet after the answer"
    run.answers(8.0, ANSWERS["nothing_to_resume"])  # resume has nothing to go back to


@pytest.mark.parametrize("intent", ["skip", "next"])
def test_skip_and_next_move_to_the_start_of_the_next_section(config, voice, intent):
    run = Run(config, voice, {0.5: "body_scan", 20.0: intent}).until(21.0)
    scan = render("body_scan", config, voice, now=NOW)
    at = int(round((20.0 - 0.5) * OUT_RATE))
    section = scan.section_at(at)
    target = scan.marks[section + 1].start
    seek = run.events("seek")
    assert [s["reason"] for s in seek] == ["skip"]
    assert seek[0]["to"] == round(target / OUT_RATE, 2)
    assert target > at + OUT_RATE, "the skip moved forward, past where it was"
    run.plays(20.0, scan.sound, at=target)


def test_repeat_goes_back_to_the_start_of_the_section(config, voice):
    run = Run(config, voice, {0.5: "body_scan", 20.0: "repeat"}).until(21.0)
    scan = render("body_scan", config, voice, now=NOW)
    section = scan.section_at(int(round((20.0 - 0.5) * OUT_RATE)))
    start = scan.marks[section].start
    assert int(round(19.5 * OUT_RATE)) - start > 1.0 * OUT_RATE, "well into the section"
    assert run.events("seek")[0]["to"] == round(start / OUT_RATE, 2)
    run.plays(20.0, scan.sound, at=start)


@pytest.mark.parametrize("intent, factor", [("slower", STEP_FACTOR), ("faster", 1 / STEP_FACTOR)])
def test_slower_and_faster_change_the_breath_from_the_next_one(config, voice, intent, factor):
    run = Run(config, voice, {0.5: "breathe", 20.0: intent}).until(20.1)
    pace = run.events("pace")
    assert [p["pace"] for p in pace] == [pytest.approx(factor, abs=1e-3)]
    program = run.assistant.running.program
    breaths = [m.start for m in program.marks if m.label.startswith("breath")]
    lengths = np.diff(breaths) / OUT_RATE
    base = sum(config.breathing.patterns[config.breathing.pattern])
    now = (20.0 - 0.5) * OUT_RATE
    assert lengths[np.array(breaths[1:]) <= now] == pytest.approx(base, abs=1e-3)
    assert lengths[np.array(breaths[:-1]) > now + base * OUT_RATE] == \
        pytest.approx(base * factor, abs=1e-3)


@pytest.mark.parametrize("intent", ["slower", "faster", "skip", "next", "repeat"])
def test_controls_with_nothing_playing_start_nothing_and_say_so(config, voice, intent):
    run = Run(config, voice, {0.5: intent}).until(3.0)
    assert run.routine() is None and not run.events("routine_start")
    run.answers(0.5, ANSWERS["nothing_playing"])


def test_help_starts_with_the_emergency_number_then_the_crisis_line_then_the_people(
        config, voice):
    people = (config_module.Contact(name="Ana", relation="sister", phone="07911 123111"),
              config_module.Contact(name="Jo", relation="friend", phone="07911 123222"))
    config = replace(config, contacts=people)  # the example's own are never read
    program = render("help", config, voice, now=NOW)
    texts = [m.text for m in program.marks]
    assert texts[0].startswith("If you are in danger right now, call "
                               f"{spell_phone(config.emergency.phone)}.")
    assert spell_phone(config.crisis_line.phone) in texts[1]
    order = [next(i for i, t in enumerate(texts) if person.name in t)
             for person in config.contacts]
    assert order == sorted(order) and order[0] > 1
    for person, i in zip(config.contacts, order):
        assert spell_phone(person.phone) in texts[i]
    reminders = [texts.index(r) for r in config.reminders if "{" not in r]
    assert min(reminders) > max(order)
    assert texts[-1] == config.disclaimer


@pytest.mark.parametrize("number, said", [
    ("999", "nine nine nine"),
    ("0808 2000 247", "zero eight zero eight, two zero zero zero, two four seven"),
    ("+44 7700 900123", "plus four four, seven seven zero zero, nine zero zero one two three"),
    ("(555) 010-2030", "five five five, zero one zero, two zero three zero"),
    ("07700900123", "zero seven seven zero, zero nine zero, zero one two three"),
    ("", ""),
])
def test_phone_numbers_are_read_digit_by_digit_in_small_groups(number, said):
    assert spell_phone(number) == said


def test_a_contact_without_a_phone_is_read_without_one(config, voice):
    people = (replace(config.contacts[0], phone=""),)
    program = render("help", replace(config, contacts=people), voice, now=NOW)
    assert "Their number is" not in " ".join(m.text for m in program.marks)


def own_pause_routine(config, voice):
    """A pause routine that says the pause phrase itself, and when it says it."""
    steps = ((config.scripts["pause"][0], replace(config.scripts["pause"][1],
              say="Whenever you want quiet, say stop everything.", wait=0.5)))
    own = replace(config, scripts=dict(config.scripts) | {"pause": steps})
    program = render("pause", own, voice, now=NOW)
    return own, 0.5 + program.marks[1].start / OUT_RATE + 1.5, 0.5 + program.seconds



def test_its_own_words_are_its_own_only_while_it_says_them(config, voice):
    """With its echo in the microphone (a person speaking over it), a phrase heard while the
    assistant says it is its own voice; the same phrase after the routine has ended is the
    user's. (A pause phrase, never dropped in doubt, stands for another command here.)"""
    own, said_at, ended = own_pause_routine(config, voice)
    own = replace(own, words=dict(own.words) | {"pause": ("pause right now",),
                                                "quiet": ("stop everything",)})
    run = Run(own, voice, {0.5: "pause right now", said_at: "stop everything",
                           ended + 10.0: "stop everything"}, echo=PERSON)
    run.until(ended + 10.5)
    ignored = [e for e in run.log.events if e["event"] == "ignored"]
    assert [(e["phrase"], e["evidence"]) for e in ignored] == [("stop everything", "words")]
    triggers = [e["t"] for e in run.events("trigger") if e["phrase"] == "stop everything"]
    assert triggers == [pytest.approx(ended + 10.0, abs=0.02)]


def test_the_hearing_is_told_which_seconds_hold_its_own_sound(config, voice):
    """Before each chunk the recogniser is told whether the assistant played sound then (its
    second looks with hints differ over its own voice: ``twostage._hintable``,
    ``_near_misses``): not before a routine, in most chunks while it speaks (not in the gaps
    between its words), and not once all it said has ended."""
    run = Run(config, voice, {1.0: "breathe", 4.0: "quiet"})
    told: list[tuple[float, bool]] = []
    run.assistant.recogniser.playing = lambda sound: told.append((run.assistant.now, sound))
    run.until(10.0)
    assert len(told) == 10.0 * IN_RATE / CHUNK
    assert not any(sound for t, sound in told if t < 1.0)
    speaking = [sound for t, sound in told if 1.0 <= t < 4.0]
    assert sum(speaking) > 0.6 * len(speaking)
    assert not any(sound for t, sound in told if t >= 8.0)


def test_with_no_echo_in_the_microphone_every_phrase_is_the_persons(config, voice):
    """Headphones, or a recording with no echo in it: a phrase heard while the assistant
    says it, one found only by a check of a whole stretch of talk, the help phrase during the
    body scan: all acted on."""
    own, said_at, ended = own_pause_routine(config, voice)
    run = Run(own, voice, {0.5: "pause", said_at: "stop everything"})
    run.until(said_at + 0.5)
    assert not run.events("ignored")
    assert [e["t"] for e in run.events("trigger")] == [0.5, pytest.approx(said_at, abs=0.02)]
    help_phrase = "read my safety plan"
    run = Run(config, voice, {0.5: "body_scan", 19.0: (help_phrase, 1, help_phrase)})
    assert run.until(19.5).routine() == "help" and not run.events("ignored")


@pytest.mark.parametrize("intent", ["pause", "help"])
def test_help_and_pause_are_dropped_only_where_the_microphone_held_the_echo_alone(
        config, voice, intent):
    """Said while the assistant says them, over its echo: acted on (in doubt, never
    dropped); heard where the microphone held nothing but the echo: ignored."""
    phrase = config.words[intent][0]
    own, said_at, _ = own_pause_routine(config, voice)
    steps = own.scripts["pause"][:1] + (replace(own.scripts["pause"][1],
                                                say=f"Whenever you like, say {phrase}."),)
    own = replace(own, scripts=dict(own.scripts) | {"pause": steps})
    person = Run(own, voice, {0.5: "pause", said_at: phrase}, echo=PERSON).until(said_at + 0.5)
    assert [e["intent"] for e in person.events("trigger")] == ["pause", intent]
    echo = Run(own, voice, {said_at - 0.5: phrase}, echo=ECHO_ALONE)
    echo.assistant.start("pause")
    echo.until(said_at)
    assert [e["evidence"] for e in echo.events("ignored")] == ["echo only"]
    assert not echo.events("trigger") and echo.routine() == "pause"


def test_a_phrase_heard_more_often_than_it_said_it_is_the_persons(config, voice):
    """The person says a phrase while the assistant says it too: the check hears it twice in
    that stretch, where the assistant said it once, so one saying is theirs."""
    own, said_at, _ = own_pause_routine(config, voice)
    own = replace(own, words=dict(own.words) | {"pause": ("pause right now",),
                                                "quiet": ("stop everything",)})
    run = Run(own, voice, {0.5: "pause right now", said_at: ("stop everything", 2)},
              echo=PERSON)
    run.until(said_at + 0.5)
    assert not [e for e in run.log.events if e["event"] == "ignored"]
    assert [e["t"] for e in run.events("trigger")] == [0.5, pytest.approx(said_at, abs=0.02)]


def test_a_phrase_found_in_what_was_mostly_its_own_voice_is_its_own(config, voice):
    """A check that wrote down mostly what the assistant was saying misheard its echo: a
    phrase found there is its own voice ("one more time" in "one more time you can taste",
    said as "One thing you can taste"). The same phrase said on its own is the person's; and
    a pause phrase is never ignored this way."""
    config = replace(config, words=dict(config.words) | {"repeat": ("one more time",)})
    ground = render("ground", config, voice, now=NOW)
    section = next(i for i, m in enumerate(ground.marks) if "One thing you can taste" in m.text)
    t = 0.5 + ground.marks[section].start / OUT_RATE + 2.5
    misheard = "one more time you can taste, if you want to"
    echo = Run(config, voice, {0.5: "ground", t: ("one more time", 1, misheard)},
               echo=PERSON).until(t + 0.5)
    assert [(e["phrase"], e["evidence"]) for e in echo.events("ignored")] == [
        ("one more time", "transcript")]
    assert not echo.events("seek") and echo.routine() == "ground"
    person = Run(config, voice, {0.5: "ground", t: ("one more time", 1, "one more time")},
                 echo=PERSON)
    assert [s["reason"] for s in person.until(t + 0.5).events("seek")] == ["repeat"]
    pause = Run(config, voice, {0.5: "ground", t: ("stop everything", 1, misheard)},
                echo=PERSON)
    assert pause.until(t + 0.5).routine() == "pause"


def test_the_voice_cut_off_at_a_candidate_is_not_taken_for_its_own_phrase(config, voice):
    """The voice stops on a candidate pause phrase; its own output, cut off there, can look
    like a phrase ending to the eager recognisers on it (measured live at -6 dB: in 3 of 11
    trials the person's confirmed pause was then ignored as its own voice). What they find
    while the voice is held is not counted. (Quiet stands for a command that evidence of
    its output would drop.)"""
    phrase = "stop everything"
    quiet = replace(config, words=dict(config.words) | {"pause": ("pause right now",),
                                                        "quiet": (phrase,)})
    said = [Detection("pause right now", 19.2, 20.0, 20.0, "candidate", by="ear"),
            Detection(phrase, 19.4, 20.45, 20.6)]
    cut = [Detection(phrase, 19.5, 20.2, 20.3)]
    log = EventLog()
    assistant = build_assistant(quiet, recogniser=Emits(said, own=cut), voice=voice, log=log,
                                clock=lambda: NOW, cancel_echo=False)
    assistant.canceller = PERSON
    recorder = WavRecorder(assistant.player)
    assistant.start("body_scan")
    while assistant.now < 21.0:
        recorder.advance_to(assistant.now + CHUNK / IN_RATE)
        assistant.feed(np.zeros(CHUNK, np.int16))
    assert not [e for e in log.events if e["event"] == "ignored"]
    assert [e["intent"] for e in log.events if e["event"] == "trigger"] == ["quiet"]


def test_a_routine_that_cannot_be_rendered_falls_back_to_the_pause_routine(config, voice):
    """One failed synthesis never ends the assistant: the pause routine stands in for the
    grounding routine it could not say, and it keeps listening."""
    class Broken(Voice):
        def say(self, text: str) -> np.ndarray:
            if "five things" in text:
                raise VoiceError("espeak-ng gave no sound.")
            return voice.say(text)

    run = Run(config, Broken(rate=config.rate, volume=config.volume),
              {1.0: "ground", 4.0: "quiet"}).until(2.0)
    assert run.events("render_failed")[0]["routine"] == "ground"
    assert run.routine() == "pause"
    run.until(4.5)
    assert run.routine() is None and run.events("trigger")[-1]["intent"] == "quiet"


@pytest.mark.parametrize("before", [None, "breathe", "body_scan", "pause"])
def test_every_phrase_in_every_state_is_answered_out_loud(config, voice, before):
    """Whatever is said, and whatever is playing: the chime, then within a second either a
    short spoken answer or the routine's own words, found in the output audio."""
    for intent in config.intents:
        script = {0.5: before, 10.0: intent} if before else {10.0: intent}
        run = Run(config, voice, script).until(13.0)
        chime, t = run.assistant.chime, 10.0
        i = int(t * OUT_RATE)
        fade = int(FADE_OUT * OUT_RATE) + 1
        np.testing.assert_allclose(run.output[i + fade:i + len(chime)], chime[fade:], atol=1e-6,
                                   err_msg=f"{intent} after {before}: no chime")
        answered = [e for e in run.events("answer") if e["t"] == t]
        if answered:
            run.answers(t, answered[0]["text"])
        else:
            assert [e for e in run.log.events if e["t"] == t and e["event"] in
                    ("routine_start", "seek")], f"{intent} after {before}: nothing done"
        after = run.output[i + len(chime):i + len(chime) + int(1.0 * OUT_RATE)]
        assert np.sqrt(np.mean(after ** 2)) > 0.01, f"{intent} after {before}: silence"


def test_the_greeting_says_it_is_listening_and_the_pause_phrase(config, voice):
    run = Run(config, voice, {})
    run.assistant.greet()
    run.until(6.0)
    text = greeting(config.words["pause"][0])
    assert config.words["pause"][0] in text
    run.plays(0.0, voice.say(text), chimed=False)
    quiet = Run(replace(config, greeting=False), voice, {})
    quiet.assistant.greet()
    assert not quiet.until(1.0).output.any()


def test_without_the_chime_the_routine_starts_at_once(config, voice):
    run = Run(replace(config, chime=False), voice, {1.0: "ground"}).until(2.0)
    assert len(run.assistant.chime) == 0
    run.plays(1.0, render("ground", config, voice, now=NOW).sound, chimed=False)


def test_what_can_i_say_reads_every_phrase_grouped_by_intent(config, voice):
    run = Run(config, voice, {0.5: "body_scan", 10.0: "what_can_i_say"}).until(11.0)
    assert run.routine() == "phrases"
    program = render("phrases", config, voice, now=NOW)
    run.plays(10.0, program.sound)
    texts = [m.text for m in program.marks]
    for intent, phrases in config.words.items():
        line = next(t for t in texts if phrases[0] in t)
        assert all(p in line for p in phrases), (intent, line)
    assert run.assistant.interrupted[0].program.name == "body_scan", "resume goes back to it"


def test_a_routine_of_the_users_own_starts_on_its_phrase_and_can_be_resumed(config, voice):
    assert "check_in" in config.own_routines
    run = Run(config, voice, {0.5: "check_in", 3.0: "pause", 5.0: "resume"}).until(6.0)
    program = render("check_in", config, voice, now=NOW)
    run.plays(0.5, program.sound)
    assert [e["routine"] for e in run.events("routine_start")] == ["check_in", "pause",
                                                                    "check_in"]


def test_slower_at_the_slowest_pace_says_so_and_changes_nothing(config, voice):
    script = {0.5: "breathe"} | {1.0 + i: "slower" for i in range(12)}
    run = Run(config, voice, script).until(14.0)
    paces = [e["pace"] for e in run.events("pace")]
    assert paces and len(paces) < 12
    assert ANSWERS["slowest"] in [e["text"] for e in run.events("answer")]
    assert ANSWERS["slower"] in [e["text"] for e in run.events("answer")]


def test_skip_in_breathing_says_there_is_nothing_to_skip(config, voice):
    run = Run(config, voice, {0.5: "breathe", 20.0: "skip"}).until(23.0)
    assert run.routine() == "breathing" and not run.events("seek")
    run.answers(20.0, ANSWERS["no_skip"])


def with_checkins(config, **changes):
    from assistant.settings import Checkins

    return replace(config, checkins=replace(Checkins(enabled=True), **changes))


def test_a_check_in_before_asks_waits_for_a_number_thanks_and_starts_the_routine(
        config, voice):
    c = with_checkins(config)
    run = Run(c, voice, {0.5: "ground", 5.0: "seven"}).until(8.0)
    run.plays(0.5, voice.say(c.checkins.before))  # the chime, then the question
    assert run.events("checkin")[0]["t"] == 0.5 and run.events("routine_start")[0]["t"] == 5.0
    thanks = voice.say("Seven, thank you.")
    run.plays(5.0, np.concatenate([thanks, np.zeros(int(GAP * OUT_RATE), np.float32),
                                   render("ground", c, voice, now=NOW).sound]))
    assert run.events("rating")[0] == {"t": 5.0, "event": "rating", "when": "before",
                                       "routine": "ground", "rating": 7}


def test_no_answer_it_asks_once_more_briefly_then_the_routine_simply_starts(config, voice):
    c = with_checkins(config, wait=3.0)
    run = Run(c, voice, {0.5: "ground"}).until(20.0)
    asked_until = 0.5 + (len(run.assistant.chime) + len(voice.say(c.checkins.before))) / \
        OUT_RATE + GAP + 3.0
    again = run.events("checkin")[1]
    assert again["again"] and asked_until < again["t"] < asked_until + 0.05
    run.plays(again["t"], voice.say(c.checkins.again), chimed=False)
    start = run.events("routine_start")[0]["t"]
    until = again["t"] + len(voice.say(c.checkins.again)) / OUT_RATE + GAP + 3.0
    assert until < start < until + 0.05
    run.plays(start, render("ground", c, voice, now=NOW).sound, chimed=False)
    assert [e["rating"] for e in run.events("rating")] == [None]


def test_a_rating_after_being_asked_once_more_counts(config, voice):
    c = with_checkins(config, wait=3.0)
    run = Run(c, voice, {0.5: "ground"})
    run.until(12.0)
    assert len(run.events("checkin")) == 2
    run.assistant.recogniser.script[12.5] = "five"
    run.until(13.0)
    assert [e["rating"] for e in run.events("rating")] == [5]
    assert run.routine() == "ground"


@pytest.mark.parametrize("intent", ["repeat", "slower", "skip"])
def test_another_phrase_while_a_check_in_waits_is_answered_and_the_routine_still_starts(
        config, voice, intent):
    """"one more time" while the question waits: answered ("Nothing is playing right now"),
    and the breathing asked about still starts, once the answer has been said."""
    c = with_checkins(config)
    run = Run(c, voice, {0.5: "breathe", 3.0: intent}).until(12.0)
    answers = [e["text"] for e in run.events("answer")]
    assert answers and answers[-1] in ANSWERS.values()
    assert [e["routine"] for e in run.events("routine_start")] == ["breathing"]
    answered = [e for e in run.events("answer")][-1]
    said = len(run.assistant.chime) / OUT_RATE + len(voice.say(answered["text"])) / OUT_RATE
    start = run.events("routine_start")[0]["t"]
    assert answered["t"] + said < start < answered["t"] + said + GAP + 0.05
    assert run.routine() == "breathing"


@pytest.mark.parametrize("intent, routine", [("pause", "pause"), ("help", "help")])
def test_pause_help_or_another_routine_take_the_place_of_the_one_asked_about(
        config, voice, intent, routine):
    c = with_checkins(config)
    run = Run(c, voice, {0.5: "breathe", 3.0: intent}).until(8.0)
    assert [e["routine"] for e in run.events("routine_start")] == [routine]


def test_another_routine_asked_for_while_a_check_in_waits_is_asked_about_instead(
        config, voice):
    c = with_checkins(config, routines=("breathing", "body_scan"))
    run = Run(c, voice, {0.5: "breathe", 3.0: "body_scan"}).until(8.0)
    assert [e["routine"] for e in run.events("checkin")] == ["breathing", "body_scan"]
    assert not run.events("routine_start")
    c = with_checkins(config, routines=("breathing",))
    run = Run(c, voice, {0.5: "breathe", 3.0: "body_scan"}).until(8.0)
    assert [e["routine"] for e in run.events("routine_start")] == ["body_scan"]


def test_the_pause_phrase_never_waits_for_a_check_in(config, voice):
    c = with_checkins(config)
    run = Run(c, voice, {0.5: "ground", 2.0: "pause"}).until(3.0)
    assert [e["routine"] for e in run.events("routine_start")] == ["pause"]
    assert run.routine() == "pause" and run.assistant.asking is None


def test_after_a_routine_it_asks_again_and_a_high_rating_brings_an_offer(config, voice):
    c = with_checkins(config, routines=("check_in",))
    length = render("check_in", c, voice, now=NOW).seconds
    run = Run(c, voice, {0.5: "check_in", 4.0: "three"})
    end = 4.0 + (len(voice.say("Three, thank you.")) / OUT_RATE + GAP) + \
        len(run.assistant.chime) / OUT_RATE + length
    run.assistant.recogniser.script[round(end + 3.5, 2)] = "nine"
    run.until(end + 12.0)
    assert [e["when"] for e in run.events("checkin")] == ["before", "after"]
    assert [e["rating"] for e in run.events("rating")] == [3, 9]
    said = [e["text"] for e in run.events("answer")]
    words = {"help": c.words["help"][0], "pause": c.words["pause"][0]}
    assert said[-1] == "Nine, thank you. " + c.checkins.offer.format(**words)
    assert words["help"] in said[-1] and words["pause"] in said[-1]
    assert run.records == [{"started": NOW.isoformat(timespec="seconds"), "routine": "check_in",
                            "before": 3, "after": 9, "seconds": pytest.approx(length, abs=0.05),
                            "ended": "finished"}]


def test_numbers_are_ignored_when_no_check_in_asked(config, voice):
    run = Run(with_checkins(config), voice, {0.5: "seven"}).until(2.0)
    assert not run.events("trigger") and not run.output.any()
    assert run.log.events[-1]["reason"] == "no check-in asked"


def test_every_routine_goes_into_the_journal_with_how_it_ended(config, voice):
    run = Run(config, voice, {0.5: "body_scan", 10.0: "pause", 13.0: "quiet"}).until(14.0)
    run.assistant.finish()
    chime = len(run.assistant.chime) / OUT_RATE  # played before each routine; not counted
    assert [(r["routine"], r["ended"], r["seconds"]) for r in run.records] == [
        ("body_scan", "paused", pytest.approx(9.5 - chime, abs=0.05)),
        ("pause", "quiet", pytest.approx(3.0 - chime, abs=0.05))]
    assert all(r["before"] is None and r["after"] is None for r in run.records)


def test_the_greeting_naming_the_pause_phrase_pauses_nothing_but_the_person_does(config, voice):
    """The greeting names the pause phrase: its echo alone pauses nothing; the person saying
    it over the greeting, or just after it, pauses."""
    pause = config.words["pause"][0]
    said = len(voice.say(greeting(pause))) / OUT_RATE + GAP
    during, after = said - 0.2, said + 1.5  # detections end here, 0.8 s after they start
    run = Run(config, voice, {during: pause}, echo=ECHO_ALONE)
    run.assistant.greet()
    run.until(during + 1.0)
    assert [(e["t"], e["evidence"]) for e in run.events("ignored")] == [
        (pytest.approx(during, abs=0.02), "echo only")]
    assert not run.events("trigger")
    run = Run(config, voice, {during: pause, after: pause}, echo=PERSON)
    run.assistant.greet()
    run.until(after + 1.0)
    assert [e["t"] for e in run.events("trigger")] == [pytest.approx(during, abs=0.02),
                                                       pytest.approx(after, abs=0.02)]


def test_discreet_mode_greets_no_one_and_speaks_more_quietly(config, voice):
    """No greeting, and everything it plays (the chime, the voice) 6 dB quieter."""
    from assistant.speaking.voice import DISCREET

    quiet = replace(config, discreet=True)
    run = Run(quiet, voice, {0.5: "ground"})
    run.assistant.greet()
    run.player.gain = DISCREET  # as the session sets it from the configuration
    run.until(4.0)
    loud = Run(config, voice, {0.5: "ground"}).until(4.0)
    assert not run.output[:int(0.5 * OUT_RATE)].any()  # no greeting before the phrase
    np.testing.assert_allclose(run.output, loud.output * DISCREET, atol=1e-6)
    assert 20 * np.log10(DISCREET) == pytest.approx(-6.0, abs=0.1)
