"""Shared helpers: real speech from flite voices, configs, and the CLI."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from assistant.sound import IN_RATE
from assistant.sound.files import read_wav, write_wav

from .support import voices

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("GROUNDING_SHARED", ROOT.parent / "shared"))
SPEECH = SHARED / "speech" / "speech_commands_v0.01"
FLITE_VOICES = ("slt", "rms", "awb", "kal16")
#: The ``voice.rate`` that asks espeak-ng for 150 words a minute: the assistant's pace until
#: session 17 (it said 192 a minute at that), which the tests of its echo and of hearing its
#: own voice were built on. At the calmer pace shipped now, PocketSphinx hardly ever hears
#: "stop everything" in its voice at all, so those tests would show nothing.
QUICK = 186
#: Everyday speech that holds none of the example phrases.
ORDINARY = ("The weather was mild this afternoon, so we walked along the river and talked "
            "about the garden, the neighbours, and what to cook for dinner on Sunday. "
            "Later we watched a film about a lighthouse keeper and his dog.")


def flite(text: str, voice: str = "slt", *, stretch: float = 1.0) -> np.ndarray:
    """``text`` spoken by a Debian flite voice, as float32 at 16 kHz."""
    if shutil.which("flite") is None:
        pytest.fail("flite is not installed; scripts/setup.sh --test installs it")
    return voices.flite(text, voice, stretch=stretch)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * IN_RATE), dtype=np.float32)


def noise(samples: np.ndarray, snr_db: float, seed: int = 0) -> np.ndarray:
    """``samples`` with white-ish noise mixed in at ``snr_db`` relative to the speech."""
    rng = np.random.default_rng(seed)
    loud = samples[np.abs(samples) > 0.01]
    power = float(np.mean(loud ** 2)) if len(loud) else 1e-4
    n = rng.normal(0, 1, len(samples)).astype(np.float32)
    n = np.convolve(n, np.ones(4) / 4, mode="same")  # a little less hiss, more room
    n *= np.sqrt(power / 10 ** (snr_db / 10) / np.mean(n ** 2))
    return (samples + n).astype(np.float32)


def save(path: Path, *parts: np.ndarray) -> Path:
    write_wav(path, np.concatenate(parts), IN_RATE)
    return path


def cli(*args: str, timeout: float = 300, cwd: Path = ROOT, env: dict | None = None,
        input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          env=None if env is None else os.environ | env, input=input,
                          stdin=subprocess.DEVNULL if input is None else None)


def espeak_config(folder: Path, data: dict | None = None) -> Path:
    """The shipped config.yaml (or ``data``), written in ``folder`` with espeak-ng named as
    the voice. Tests that measure what was played against a rendering of their own use it:
    espeak-ng renders the same samples every time, the natural voice never quite does
    (``tests/test_piper.py`` tests that voice by name)."""
    data = data if data is not None else yaml.safe_load((ROOT / "config.yaml").read_text())
    data["voice"]["engine"] = "espeak"
    path = folder / "espeak.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def data_folder(path: Path) -> Path:
    """A data folder of its own for one test, whose voice renderings are the tests' shared
    ones (they hold only the assistant's own words): the natural voice renders each
    sentence once for the whole run, not once for every test that starts afresh."""
    path.mkdir(parents=True, exist_ok=True)
    shared = Path(os.environ["GROUNDING_DATA"]) / "voice"
    shared.mkdir(parents=True, exist_ok=True, mode=0o700)
    (path / "voice").symlink_to(shared, target_is_directory=True)
    return path


def ear_config(folder: Path) -> Path:
    """The shipped config.yaml cut to the intents every configuration needs (eight phrases),
    written in ``folder``: for the tests that learn the ear, which learns every phrase, so
    the 17 shipped phrases would add minutes to each of them."""
    from assistant.settings import REQUIRED_INTENTS

    data = yaml.safe_load((ROOT / "config.yaml").read_text())
    data["listen"]["words"] = {intent: phrases for intent, phrases in
                               data["listen"]["words"].items() if intent in REQUIRED_INTENTS}
    path = folder / "ear.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def voice_of(config, store: Path | None = None):
    """The voice ``run`` speaks with for ``config``, reading the same cache (the tests' data
    folder unless ``store``): the natural voice renders a text a little differently each
    time, so what a test expects must be the very rendering ``run`` played."""
    from assistant.speaking.voice import configured_voice

    return configured_voice(config, store=store or Path(os.environ["GROUNDING_DATA"]))


def read_events(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


#: The files that learn an ear (minutes each) are handed out first, so the run does not end
#: with one of them alone on one core while the other waits (``scripts/test`` keeps this
#: order: ``--no-loadscope-reorder``).
FIRST = ("test_live_audio.py", "test_embedding.py", "test_twostage.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: FIRST.index(item.path.name) if item.path.name in FIRST
               else len(FIRST))


@pytest.fixture(scope="session", autouse=True)
def private_store(tmp_path_factory) -> Path:
    """Everything the assistant learns or keeps during the tests goes to one temporary data
    folder (the CLI in a subprocess finds it through the environment), never the user's."""
    store = tmp_path_factory.mktemp("store")
    os.environ["GROUNDING_DATA"] = str(store)
    return store


@pytest.fixture
def example() -> dict:
    """The shipped config.yaml as data, to change in a test."""
    return yaml.safe_load((ROOT / "config.yaml").read_text())


@pytest.fixture
def write_config(tmp_path):
    def write(data: dict | str, name: str = "config.yaml") -> Path:
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
        return path
    return write


@pytest.fixture(scope="session")
def shared_speech() -> Path:
    if not SPEECH.is_dir():
        pytest.skip(f"the shared recordings are not at {SPEECH} (set GROUNDING_SHARED)")
    return SPEECH


@pytest.fixture(scope="session")
def shared_room() -> Path:
    """The shared recordings of real people's words (``keywords/``) and of real household and
    street noise (``noise/``)."""
    room = SHARED / "speech"
    if not (room / "keywords").is_dir() or not (room / "noise").is_dir():
        pytest.skip(f"the shared recordings are not at {room} (set GROUNDING_SHARED)")
    return room


def run_through(tmp_path: Path, *parts: np.ndarray, config: Path | None = None
                ) -> tuple[list[dict], np.ndarray]:
    """``parts`` (16 kHz) saved as one WAV and played to `run --fast`; its events, and what it
    said (at the output rate)."""
    from assistant.sound import OUT_RATE

    wav = save(tmp_path / "in.wav", *parts)
    result = cli("run", "--input", wav, "--output", tmp_path / "out.wav", "--events",
                 tmp_path / "ev.jsonl", "--fast", *(["--config", config] if config else []))
    assert result.returncode == 0, result.stderr
    return read_events(tmp_path / "ev.jsonl"), read_wav(tmp_path / "out.wav", OUT_RATE)

