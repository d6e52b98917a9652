"""The synthetic speakers the embedding engine learns from: flite and espeak-ng voices."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np

from .. import espeak
from ..hearing.base import RecogniserError
from ..sound import IN_RATE
from ..sound.files import read_wav

FLITE = ("slt", "rms", "awb", "kal16")
ESPEAK = ("en-us", "en", "en-gb-scotland", "en-us+f3", "en-029", "en-gb-x-rp")
RATES = (0.8, 1.0, 1.25)


def speak(engine: str, voice: str, text: str, rate: float | None, pitch: float | None,
          tmp: Path, gap: bool = False) -> np.ndarray:
    """``text`` spoken by a flite or espeak-ng voice at 16 kHz; ``rate`` and ``pitch`` are
    relative (``None``: the voice's own; flite's kal16 speaks slower than 1.0 by itself).
    With ``gap``, one word at a time. flite writes into the folder ``tmp``."""
    if engine != "flite":
        return espeak.speak(text, voice=voice, words_per_minute=int(165 * (rate or 1.0)),
                            pitch=None if pitch is None else int(50 * pitch),
                            word_gap=50 if gap else 0, rate=IN_RATE)
    out = tmp / "s.wav"
    if gap:
        text = ". ".join(text.split()) + "."
    cmd = ["flite", "-voice", voice]
    if rate is not None:
        cmd += ["--setf", f"duration_stretch={1 / rate:.3f}"]
    if pitch is not None:
        mean = (170 if voice == "slt" else 110) * pitch
        cmd += ["--setf", f"int_f0_target_mean={mean:.0f}"]
    subprocess.run([*cmd, "-t", text, "-o", str(out)], check=True, capture_output=True)
    return read_wav(out, IN_RATE)


def voices() -> list[tuple[str, str]]:
    found = []
    if shutil.which("flite"):
        found += [("flite", v) for v in FLITE]
    if shutil.which("espeak-ng"):
        found += [("espeak", v) for v in ESPEAK]
    if not found:
        raise RecogniserError("learning your phrases needs flite or espeak-ng; the setup "
                              "command installs them.")
    return found

