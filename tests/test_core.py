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

from assistant import config as config_module
from assistant.config import INTENTS
from assistant.core import STEP_FACTOR, Assistant, EventLog, State
from assistant.hearing.base import Detection, Recogniser
from assistant.sound import IN_RATE, OUT_RATE
from assistant.sound.player import FADE_OUT, Player, WavRecorder
from assistant.speaking.routines import render, spell_phone
from assistant.speaking.voice import Voice, VoiceError

from .conftest import ROOT

CHUNK = 320  # 20 ms, as the live loop feeds it
NOW = dt.datetime(2026, 3, 14, 9, 30)


class Scripted(Recogniser):
    """Hears each phrase of ``script`` (seconds -> phrase) at that point of the audio."""

    def __init__(self, script: dict[float, str] | None = None):
        super().__init__(())
        self.script = dict(script or {})

    def _block(self, block: np.ndarray) -> list[Detection]:
        due = [t for t in self.script if t <= self.now]
        return [Detection(self.script.pop(t), t - 0.8, t, self.now) for t in sorted(due)]

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
    for name in ("pause", "help", "breathing", "body_scan", "ground"):
        render(name, config, voice, now=NOW)  # every sentence rendered once for the module
    return voice


class Run:
    """An assistant fed silence, with its phrases heard when the script says."""

    def __init__(self, config, voice, script: dict[float, str]):
        phrase = {intent: ps[0] for intent, ps in config.words.items()}
        self.log = EventLog()
        self.player = Player()
        self.recorder = WavRecorder(self.player)
        self.assistant = Assistant(config, recogniser=Scripted(
            {t: phrase.get(what, what) for t, what in script.items()}), voice=voice,
            player=self.player, log=self.log, clock=lambda: NOW, cancel_echo=False)

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

    def plays(self, t: float, sound: np.ndarray, at: int = 0, seconds: float = 0.4) -> None:
        """From ``t`` on, the output is ``sound`` from sample ``at`` (after the stop fade of
        whatever played before)."""
        i, fade, n = int(round(t * OUT_RATE)), int(FADE_OUT * OUT_RATE) + 1, int(seconds * OUT_RATE)
        assert len(self.output) >= i + n
        np.testing.assert_allclose(self.output[i + fade:i + n], sound[at + fade:at + n],
                                   atol=1e-6)

    def routine(self) -> str | None:
        running = self.assistant.running
        return running.program.name if running and self.assistant.state is State.PLAYING \
            else None


def test_every_intent_has_exactly_one_handler(config, voice):
    assert set(Run(config, voice, {}).assistant.handlers) == set(INTENTS)


@pytest.mark.parametrize("intent, routine", [
    ("pause", "pause"), ("help", "help"), ("breathe", "breathing"),
    ("body_scan", "body_scan"), ("ground", "ground")])
def test_a_routine_phrase_starts_its_routine_from_silence(config, voice, intent, routine):
    run = Run(config, voice, {1.0: intent}).until(1.5)
    assert run.routine() == routine
    start = run.events("routine_start")[0]
    assert (start["routine"], start["t"]) == (routine, 1.0)
    assert not run.output[:int(1.0 * OUT_RATE)].any()
    run.plays(1.0, render(routine, config, voice, now=NOW).sound)


@pytest.mark.parametrize("intent", ["pause", "help"])
def test_pause_and_help_stop_what_plays_and_remember_it_for_resume(config, voice, intent):
    run = Run(config, voice, {0.5: "body_scan", 20.0: intent}).until(20.5)
    assert run.routine() == ("pause" if intent == "pause" else "help")
    stops = run.events("speech_stop")
    assert [(s["routine"], s["reason"]) for s in stops] == [("body_scan", intent)]
    running, section = run.assistant.interrupted
    assert running.program.name == "body_scan" and section >= 1


def test_resume_goes_back_to_the_start_of_the_interrupted_section(config, voice):
    run = Run(config, voice, {0.5: "body_scan", 20.0: "pause", 22.0: "resume"}).until(22.5)
    assert run.routine() == "body_scan" and run.assistant.interrupted is None
    scan = render("body_scan", config, voice, now=NOW)
    section = scan.section_at(int(round((20.0 - 0.5) * OUT_RATE)))
    assert section >= 1
    run.plays(22.0, scan.sound, at=scan.marks[section].start)


def test_resume_with_nothing_interrupted_changes_nothing(config, voice):
    run = Run(config, voice, {0.5: "resume"}).until(1.0)
    assert run.routine() is None and not run.events("routine_start")
    assert not run.output.any()


def test_quiet_stops_and_forgets_what_was_interrupted(config, voice):
    run = Run(config, voice, {0.5: "ground", 3.0: "pause", 4.0: "quiet", 5.0: "resume"})
    run.until(5.5)
    assert run.routine() is None
    assert [e["reason"] for e in run.events("routine_end")] == ["pause", "quiet"]
    tail = run.output[int(4.05 * OUT_RATE):]
    assert not tail.any(), "silent after quiet, and resume has nothing to go back to"


@pytest.mark.parametrize("intent", ["skip", "next"])
def test_skip_and_next_move_to_the_start_of_the_next_section(config, voice, intent):
    run = Run(config, voice, {0.5: "body_scan", 20.0: intent}).until(20.5)
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
    run = Run(config, voice, {0.5: "body_scan", 20.0: "repeat"}).until(20.5)
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
def test_controls_with_nothing_playing_start_nothing(config, voice, intent):
    run = Run(config, voice, {0.5: intent}).until(1.0)
    assert run.routine() is None and not run.output.any()


def test_help_reads_each_contact_and_the_crisis_line(config, voice):
    program = render("help", config, voice, now=NOW)
    text = " ".join(m.text for m in program.marks)
    for person in config.contacts:
        assert person.name in text
        if person.phone:
            assert spell_phone(person.phone) in text
    assert spell_phone(config.crisis_line.phone) in text


@pytest.mark.parametrize("number, said", [
    ("988", "9 8 8"),
    ("+44 7700 900123", "plus 4 4, 7 7 0, 0 9 0, 0 1 2, 3"),
    ("(555) 010-2030", "5 5 5, 0 1 0, 2 0 3, 0"),
    ("", ""),
])
def test_phone_numbers_are_read_digit_by_digit_in_small_groups(number, said):
    assert spell_phone(number) == said


def test_a_contact_without_a_phone_is_read_without_one(config, voice):
    people = (replace(config.contacts[0], phone=""),)
    program = render("help", replace(config, contacts=people), voice, now=NOW)
    assert "Their number is" not in " ".join(m.text for m in program.marks)


def test_its_own_words_are_its_own_only_while_it_says_them(config, voice):
    """A phrase heard while the assistant says it is its own voice; the same phrase after the
    routine has ended is the user's."""
    steps = ((config.scripts["pause"][0], replace(config.scripts["pause"][1],
              say="Whenever you want quiet, say stop everything.", wait=0.5)))
    own = replace(config, scripts=dict(config.scripts) | {"pause": steps})
    program = render("pause", own, voice, now=NOW)
    said_at = 0.5 + program.marks[1].start / OUT_RATE + 1.5
    ended = 0.5 + program.seconds
    run = Run(own, voice, {0.5: "pause", said_at: "stop everything",
                           ended + 10.0: "stop everything"})
    run.until(ended + 10.5)
    ignored = [e for e in run.log.events if e["event"] == "ignored"]
    assert [(e["phrase"], e["reason"]) for e in ignored] == [("stop everything", "own voice")]
    triggers = [e["t"] for e in run.events("trigger") if e["phrase"] == "stop everything"]
    assert triggers == [0.5, pytest.approx(ended + 10.0, abs=0.02)]


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
