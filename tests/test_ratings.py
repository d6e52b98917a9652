"""A check-in's answer, zero to ten: read from what the check wrote down, homophones too,
and only from an answer that is the number and nothing else."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from assistant import settings as config_module
from assistant.hearing.ratings import rating_in
from assistant.settings import RATINGS

from .conftest import ROOT, flite, silence


@pytest.mark.parametrize("text, rating", [
    ("Seven.", 7), ("7", 7), ("a seven", 7), ("Maybe 6.", 6), ("I'd say four", 4),
    ("eight out of ten", 8), ("8/10", 8), ("Too.", 2), ("to", 2), ("Tree.", 3),
    ("Free.", 3), ("for", 4), ("It is a 10.", 10), ("zero", 0), ("Ten.", 10),
    # a greedy transcriber repeating a short answer (espeak-ng's "seven")
    ("seven, seven.", 7)])
def test_a_short_answer_gives_its_rating(text, rating):
    assert rating_in(text) == rating


@pytest.mark.parametrize("text", [
    "one more time", "going to sleep", "I think about two or three", "Oh.", "Okay.",
    "The weather was mild this afternoon.", "for the first time", "eleven", "twenty two",
    "six, seven", ", ".join(["six"] * 40), ""])
def test_talk_that_is_not_an_answer_gives_none(text):
    assert rating_in(text) is None


@pytest.mark.slow
def test_every_rating_is_heard_from_two_voices():
    """Zero to ten, two flite voices (slt's "two" came back as "Deal." before the check
    listened again for a number while a check-in waited)."""
    from assistant.hearing.base import detect_samples
    from assistant.recognisers import make_recogniser
    from assistant.sound.files import to_int16

    config = config_module.load(ROOT / "config.yaml")[0]
    config = replace(config, checkins=replace(config.checkins, enabled=True))
    recogniser = make_recogniser(config)
    missed = []
    for voice in ("slt", "rms"):
        for number in RATINGS:
            listening = recogniser.fresh()
            listening.expect(RATINGS)
            audio = to_int16(np.concatenate([silence(0.5), flite(number, voice),
                                             silence(0.5)]))
            heard = [d.phrase for d in detect_samples(listening, audio, tail=1.0)
                     if d.kind == "heard"]
            if heard != [number]:
                missed.append((voice, number, heard))
    assert missed == []
