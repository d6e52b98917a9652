"""The one place that decides whether a phrase was the assistant's own voice: each rule, from
the evidence it is given (what the echo canceller measured, what it played and said)."""
from __future__ import annotations

import pytest

from assistant.deciding.own_voice import (
    COUPLED,
    ECHO_ONLY,
    OUTPUT_WINDOW,
    PATH,
    PLAYED,
    OwnVoice,
    Verdict,
)
from assistant.hearing.base import Detection

from .support.claims import ECHO_ALONE, NO_PATH, PERSON, Measured

SAID = "Whenever you want quiet, say stop everything, and I will stop."


def heard(phrase: str, at: float = 10.0, **fields) -> Detection:
    return Detection(phrase, at - 0.8, at, at, **fields)


def saying(text: str = SAID) -> OwnVoice:
    own = OwnVoice()
    own.saying(8.0, text)
    return own


@pytest.mark.parametrize("intent", ["pause", "help", "quiet", "repeat"])
def test_with_no_echo_in_the_microphone_nothing_is_its_own_voice(intent):
    """Even a phrase in the words it is saying, in its own output and in a transcript of its
    own words: with no path from the speaker to the microphone, the person said it."""
    own = saying()
    own.played([heard("stop everything", at=9.5)])
    d = heard("stop everything", heard=SAID)
    assert own.judge(d, intent=intent, echo=NO_PATH) == Verdict(False, "no echo")
    assert own.judge(d, intent=intent, echo=None) == Verdict(False, "no echo")
    # The canceller has not learned a path, and the microphone's level does not follow the
    # speaker's.
    almost = Measured(taken=PATH - 0.01, left=ECHO_ONLY / 3, coupling=COUPLED - 0.01)
    assert not own.judge(d, intent=intent, echo=almost).own


def test_a_microphone_that_follows_the_speaker_hears_it_before_the_path_is_learned():
    own = saying()
    d = heard("stop everything")
    echo = Measured(taken=0.1, left=0.5, coupling=COUPLED + 0.1)
    assert own.judge(d, intent="quiet", echo=echo) == Verdict(True, "words")


def test_until_a_moment_of_sound_has_been_played_an_echo_is_assumed():
    """Too little played to tell whether the microphone hears it: the evidence of what it
    said counts (and help and pause are still never dropped in doubt)."""
    class JustStarted(Measured):
        def coupling(self, start: float, end: float) -> tuple[float, float]:
            return 0.0, PLAYED / 2

    own = saying()
    echo = JustStarted(taken=0.0, left=0.5)
    assert own.judge(heard("stop everything"), intent="quiet", echo=echo) == \
        Verdict(True, "words")
    assert own.judge(heard("stop everything"), intent="pause", echo=echo) == \
        Verdict(False, "in doubt")
    assert own.judge(heard("stop everything"), intent="pause", echo=NO_PATH) == \
        Verdict(False, "no echo")


@pytest.mark.parametrize("intent", ["pause", "help", "quiet"])
def test_the_echo_alone_is_its_own_voice_whatever_the_phrase(intent):
    d = heard("i need help")
    assert OwnVoice().judge(d, intent=intent, echo=ECHO_ALONE) == Verdict(True, "echo only")


@pytest.mark.parametrize("intent", ["pause", "help"])
def test_help_and_pause_are_never_dropped_in_doubt(intent):
    """In the words it was saying, or in what the recogniser on its output heard, or in a
    transcript of its own words: a person may still have said it over the echo."""
    in_words = saying()
    in_output = OwnVoice()
    in_output.played([heard("stop everything", at=9.5)])
    d = heard("stop everything", heard=SAID)
    for own in (in_words, in_output):
        assert own.judge(d, intent=intent, echo=PERSON) == Verdict(False, "in doubt")


@pytest.mark.parametrize("intent", ["pause", "help"])
def test_help_and_pause_it_says_itself_are_its_own(intent):
    """The greeting names the pause phrase: while it says that very phrase, and its own
    output was heard saying it, and the check heard it no more often, that was its voice;
    heard twice there, one saying was the person's."""
    own = saying()
    own.played([heard("stop everything", at=9.5)])
    assert own.judge(heard("stop everything"), intent=intent, echo=PERSON) == \
        Verdict(True, "saying it")
    twice = heard("stop everything", count=2)
    assert own.judge(twice, intent=intent, echo=PERSON) == Verdict(False, "in doubt")


@pytest.mark.parametrize("intent", ["pause", "help"])
def test_help_and_pause_it_says_itself_over_its_echo_are_its_own_unheard_in_its_output(
        intent):
    """The recogniser on its own output may miss its saying (a busy machine): said while it
    says that very phrase, with the microphone holding far more echo than anything else,
    it is still its own; with as much left as a person leaves, it is in doubt."""
    own = saying()
    d = heard("stop everything")
    assert own.judge(d, intent=intent, echo=Measured(taken=0.999, left=0.05)) == \
        Verdict(True, "saying it")
    assert own.judge(d, intent=intent, echo=PERSON) == Verdict(False, "in doubt")


def test_a_pause_phrases_first_find_in_its_own_voice_does_not_stop_it():
    """A quick stage's candidate only stops the voice: the same evidence drops it (the check
    still decides on the phrase itself)."""
    own = saying()
    d = heard("stop everything", kind="candidate")
    assert own.judge(d, intent="pause", echo=PERSON) == Verdict(True, "words")


def test_heard_more_often_than_it_was_said_is_the_persons():
    own = saying()
    d = heard("repeat that", count=2)
    own.saying(8.0, "If you like, repeat that once.")
    assert own.judge(d, intent="repeat", echo=PERSON) == Verdict(False, "said more")
    assert own.judge(heard("repeat that"), intent="repeat", echo=PERSON).own


def test_a_transcript_of_mostly_its_own_words_is_its_echo_misheard():
    own = saying("One thing you can taste, if you want to, or one kind thing you can say.")
    misheard = heard("one more time", heard="one more time you can taste, if you want to")
    assert own.judge(misheard, intent="repeat", echo=PERSON) == Verdict(True, "transcript")
    alone = heard("one more time", heard="one more time")
    assert not own.judge(alone, intent="repeat", echo=PERSON).own


def test_a_phrase_only_the_hints_wrote_over_its_own_words_is_its_echo():
    """Issue 24's one self-trigger with the natural voice: the scout found "one more time" in
    "Whatever is there is fine", and Whisper given the phrases as hints wrote "be quiet now".
    Its plain transcript of the same seconds, carried with the find, was its own words."""
    own = saying("If it feels okay, notice your legs. Warm, cool, heavy, light. "
                 "Whatever is there is fine.")
    hinted = heard("be quiet now", heard="heavy, light. Whatever is there is fine.")
    assert own.judge(hinted, intent="quiet", echo=PERSON) == Verdict(True, "transcript")
    person = heard("be quiet now", heard="Whatever is there. Be quiet now.")
    assert not own.judge(person, intent="quiet", echo=PERSON).own
    pause = heard("stop everything", heard="heavy, light. Whatever is there is fine.")
    assert own.judge(pause, intent="pause", echo=PERSON) == Verdict(False, "in doubt")


def test_a_phrase_in_its_output_a_moment_before_is_its_own():
    own = OwnVoice()
    own.played([heard("body scan", at=9.5)])
    assert own.judge(heard("body scan"), intent="body_scan", echo=PERSON) == \
        Verdict(True, "output")
    later = heard("body scan", at=9.5 + OUTPUT_WINDOW + 0.1)
    assert not own.judge(later, intent="body_scan", echo=PERSON).own


def test_a_check_that_answers_late_still_knows_its_output():
    """Live, the greeting "say: stop everything" was heard by a check that answered two
    seconds after the phrase ended (the machine busy starting up, the canceller not yet
    learned): what counts is when the phrase was said, not when the check answered."""
    own = OwnVoice()
    own.answered(1.0, 4.8, "I'm listening. To pause at any time, say: stop everything.")
    own.played([heard("stop everything", at=4.3)])
    late = Detection("stop everything", 3.4, 4.7, 6.7)
    assert own.judge(late, intent="pause", echo=PERSON) == Verdict(True, "saying it")


def test_its_own_words_are_its_own_only_while_it_says_them():
    own = saying()
    assert own.judge(heard("stop everything"), intent="quiet", echo=PERSON) == \
        Verdict(True, "words")
    own.saying(11.0, "")  # quiet from here on
    assert not own.judge(heard("stop everything", at=30.0), intent="quiet", echo=PERSON).own


def test_a_short_answer_is_its_own_while_it_is_said_and_just_after():
    own = OwnVoice()
    own.answered(9.0, 10.0, "I'm listening. To pause at any time, say: be quiet now.")
    assert own.judge(heard("be quiet now", at=10.3), intent="quiet", echo=PERSON).own
    assert not own.judge(heard("be quiet now", at=20.0), intent="quiet", echo=PERSON).own
