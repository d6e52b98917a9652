"""The one driver of the espeak-ng program: text to sound, and words to phonemes.

It speaks the assistant's routines (``speaking``), the voices the embedding
engine learns from (``learning``), and turns words into phonemes so that what
was heard can be compared with a phrase by sound rather than by spelling
(``hearing``). Each call runs the program once, synchronously: the text goes
in on stdin, so nothing in it is read as an option, and the answer comes back
on stdout, so nothing is written to disk.
"""
from __future__ import annotations

import shutil
import subprocess

import numpy as np

from .sound import OUT_RATE, AudioError
from .sound.files import wav_samples

PROGRAM = "espeak-ng"


class EspeakError(Exception):
    """espeak-ng is missing or refused the text; the message is one sentence."""


def installed() -> str | None:
    """The espeak-ng program's path, if it is installed."""
    return shutil.which(PROGRAM)


def run(args: list[str], text: str) -> bytes:
    try:
        done = subprocess.run([PROGRAM, *args], input=text.encode(), capture_output=True,
                              timeout=60)
    except FileNotFoundError:
        raise EspeakError("espeak-ng is not installed; the setup command installs it.") from None
    except (OSError, subprocess.SubprocessError) as exc:
        raise EspeakError(f"espeak-ng could not read '{text[:40]}' ({exc}).") from None
    if done.returncode:
        said = done.stderr.decode(errors="replace").strip()
        if "-v" in args and "voice" in said.lower():
            voice = args[args.index("-v") + 1]
            raise EspeakError(f"espeak-ng cannot speak with the voice '{voice}'.")
        raise EspeakError(f"espeak-ng could not read '{text[:40]}' ({said}).")
    return done.stdout


def speak(text: str, *, voice: str = "", words_per_minute: int = 175, pitch: int | None = None,
          word_gap: int = 0, rate: int = OUT_RATE) -> np.ndarray:
    """``text`` as espeak-ng says it: float32 samples at ``rate``, untrimmed, the same samples
    every time."""
    args = ["--stdout", "-s", str(words_per_minute)]
    args += ["-v", voice] if voice else []
    args += ["-p", str(pitch)] if pitch is not None else []
    args += ["-g", str(word_gap)] if word_gap else []
    try:
        return wav_samples(run(args, text), rate, name="espeak-ng's output")
    except AudioError as exc:
        raise EspeakError(str(exc)) from None


#: Stress and length marks: left out, so "ˈɑː" and "ɑ" count as the same sound.
UNSTRESSED = str.maketrans("", "", "ˈˌː")


def phonemes(words: list[str], *, voice: str = "en-us") -> list[tuple[str, ...]]:
    """Each word as a sequence of IPA phonemes (American English by default)."""
    if not words:
        return []
    out = run(["-q", "--ipa", "--sep=_", "-v", voice], "\n".join(words)).decode()
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    if len(lines) != len(words):  # espeak-ng joined or split a line: one word at a time
        lines = [run(["-q", "--ipa", "--sep=_", "-v", voice], w).decode().strip()
                 for w in words]
    return [tuple(p for p in line.replace(" ", "_").translate(UNSTRESSED).split("_") if p)
            for line in lines]
