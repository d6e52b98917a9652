"""The speech-embedding recogniser: a classifier learned on the device for the user's phrases."""
from __future__ import annotations

import functools
import io

import numpy as np
import pytest

from assistant.hearing.base import detect_samples
from assistant.hearing.embedding import Classifier, Embedder, EmbeddingRecogniser
from assistant.learning import learn
from assistant.learning.learn import load_or_train
from assistant.sound.files import to_int16

from .conftest import FLITE_VOICES, ORDINARY, flite, noise, silence

pytestmark = pytest.mark.slow

PHRASES = ("stop everything", "i need help", "breathe with me")


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """One store for the module; the two learnings here (without and with enrolled takes)
    make their synthetic examples once."""
    with learn.keeping_examples():
        yield tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def recogniser(models):
    classifier = load_or_train(PHRASES, models)
    return EmbeddingRecogniser(PHRASES, classifier=classifier, embedder=Embedder())


def heard(recogniser, audio, chunk=320):
    return [d.phrase for d in detect_samples(recogniser.fresh(), to_int16(audio), chunk=chunk)]


def test_the_stream_gives_exactly_the_embeddings_of_the_whole_clip(recogniser, tmp_path):
    audio = to_int16(np.concatenate([silence(0.3), flite("stop everything", "rms")]))
    whole = recogniser.embedder.clip(audio)
    stream = recogniser.fresh()
    rows = []
    for i in range(0, len(audio) - len(audio) % 1280, 1280):
        stream.scores(audio[i:i + 1280])
        rows.append(stream._history[-1].copy())
    np.testing.assert_array_equal(np.array(rows), whole)


def test_phrases_are_heard_in_sentences_and_in_noise(recogniser, tmp_path):
    found = 0
    for voice in FLITE_VOICES:
        sentence = flite("okay, I think we should stop everything now", voice)
        found += heard(recogniser, np.concatenate([silence(0.5), sentence, silence(0.5)])) == [
            "stop everything"]
        found += "stop everything" in heard(recogniser, noise(np.concatenate(
            [silence(0.5), sentence, silence(0.5)]), 10, seed=3))
    assert found >= 6, found
    help_found = sum("i need help" in heard(recogniser, np.concatenate(
        [silence(0.5), flite("i need help", v), silence(0.5)])) for v in FLITE_VOICES)
    assert help_found >= 3


def test_ordinary_speech_does_not_trigger(recogniser, tmp_path):
    false = []
    for voice in FLITE_VOICES:
        false += heard(recogniser, flite(ORDINARY, voice))
    assert len(false) <= 1, false


def test_detections_do_not_depend_on_chunk_size(recogniser, tmp_path):
    audio = np.concatenate([silence(0.7), flite("i need help", "slt"), silence(1.0),
                            flite("stop everything", "kal16"), silence(1.0)])
    runs = [[(d.phrase, d.start, d.end, d.time) for d in
             detect_samples(recogniser.fresh(), to_int16(audio), chunk=c)]
            for c in (160, 1600, 999)]
    assert runs[0] == runs[1] == runs[2]
    assert [r[0] for r in runs[0]] == ["i need help", "stop everything"]


def test_the_learned_model_is_cached_and_reused(recogniser, models, monkeypatch):
    assert len(list(models.glob("phrases-*.npz"))) == 1
    monkeypatch.setattr(learn, "train", lambda *a, **k: pytest.fail("trained again"))
    again = load_or_train(PHRASES, models)
    assert again.phrases == PHRASES


def test_a_damaged_model_is_refused_with_a_sentence_and_learned_again(recogniser, tmp_path,
                                                                       monkeypatch):
    learned = recogniser.classifier
    path = learn.cache_path(tmp_path, PHRASES)
    buffer = io.BytesIO()
    learned.save(buffer)
    for damage in (buffer.getvalue()[:len(buffer.getvalue()) // 2], b"not a model at all"):
        path.write_bytes(damage)
        said: list[str] = []
        monkeypatch.setattr(learn, "train", lambda *a, **k: learned)
        again = load_or_train(PHRASES, tmp_path, progress=said.append)
        assert said == [f"the learned model {path.name} is damaged; learning it again"]
        assert again is learned
        np.testing.assert_array_equal(Classifier.load(path).w1, learned.w1)  # whole again
        assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_enrolled_takes_teach_it_a_voice_it_did_not_know(recogniser, models, tmp_path):
    """A deep, slow voice (flite kal16 a quarter lower) the synthetic voices do not cover:
    missed before; after three takes, heard in new renderings and still quiet in speech."""
    from assistant.learning.enroll import trim
    from assistant.learning.speakers import speak

    def user(text: str, rate: float) -> np.ndarray:
        said = speak("flite", "kal16", text, rate, None, tmp_path)
        n = int(len(said) / 0.75)  # resampled: formants and pitch a quarter lower
        return np.interp(np.arange(n) * 0.75, np.arange(len(said)), said) * 0.4

    def heard_phrase(model, rate: float) -> bool:
        return "stop everything" in heard(model, np.concatenate(
            [silence(0.5), user("stop everything", rate), silence(0.5)]))

    new = (0.8, 0.85, 0.95, 1.05, 1.15, 1.2)
    before = sum(heard_phrase(recogniser, r) for r in new)
    print("heard before enrolling:", before)
    takes = [trim(np.concatenate([silence(0.3), user("stop everything", r), silence(0.3)]))
             for r in (0.9, 1.0, 1.1)]
    classifier = load_or_train(PHRASES, models,
                               enrolled={"stop everything": takes})
    assert len(list(models.glob("phrases-*.npz"))) == 2  # the plain model is kept too
    personal = EmbeddingRecogniser(PHRASES, classifier=classifier, embedder=Embedder())
    after = sum(heard_phrase(personal, r) for r in new)
    print("heard after enrolling:", after)
    assert after >= 5 and after >= before + 2, (before, after)
    assert heard(personal, user(ORDINARY, 1.0)) == []


class Interrupted(Exception):
    pass


def test_learning_that_was_interrupted_goes_on_where_it_stopped(tmp_path, monkeypatch):
    """Stopped partway (a power cut on a Pi), learning keeps the steps it finished and
    does only the rest the next time; the model is the one an unbroken learning makes.
    (Two voices of the ten and one network of three: how well it hears is not asked here.)"""
    monkeypatch.setattr(learn, "voices", lambda: [("flite", "slt"), ("espeak", "en-us")])
    monkeypatch.setattr(learn, "fit", functools.partial(learn.fit, members=1))
    phrases = ("stop everything",)
    said: list[str] = []

    def stop_at_the_third_step(message: str) -> None:
        said.append(message)
        if "step 3 of" in message:
            raise Interrupted

    with pytest.raises(Interrupted):
        load_or_train(phrases, tmp_path / "a", progress=stop_at_the_third_step)
    kept = sorted(p.name for p in (tmp_path / "a").glob("learning/*/step-*.npz"))
    assert kept == ["step-0.npz", "step-1.npz"]
    said.clear()
    resumed = load_or_train(phrases, tmp_path / "a", progress=said.append)
    assert [m for m in said if "done before" in m] == [
        "learning 'stop everything' (step 1 of 4: done before)",
        "learning what is not a phrase (step 2 of 4: done before)"]
    assert not (tmp_path / "a" / "learning").exists() or not any(
        (tmp_path / "a" / "learning").iterdir()), "the steps go once it has learned"
    unbroken = load_or_train(phrases, tmp_path / "b")
    for name in ("w1", "b1", "w2", "b2", "mean", "scale"):
        np.testing.assert_array_equal(getattr(resumed, name), getattr(unbroken, name))


def test_the_rooms_echo_by_the_fft_is_the_direct_convolution():
    """Learning puts its examples in rooms by the FFT (``augment.convolve``): the same sound
    as convolving directly, cut to the sound's length."""
    from assistant.learning.augment import convolve

    rng = np.random.default_rng(4)
    sound, ir = rng.normal(size=16000), rng.normal(size=3100) * np.exp(-np.arange(3100) / 500)
    np.testing.assert_allclose(convolve(sound, ir), np.convolve(sound, ir)[:len(sound)],
                               atol=1e-9)
