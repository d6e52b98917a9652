"""A person's voice for tests and benchmarks: Debian's flite voices, through the one flite
driver the product has (``assistant.learning.speakers``)."""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from assistant.learning.speakers import FLITE, speak

VOICES = FLITE


def flite(text: str, voice: str = "slt", *, stretch: float = 1.0) -> np.ndarray:
    """``text`` spoken by a flite voice, float32 at 16 kHz (``stretch`` above 1: slower)."""
    with tempfile.TemporaryDirectory(prefix="flite-") as tmp:
        return speak("flite", voice, text, None if stretch == 1.0 else 1 / stretch, None,
                     Path(tmp))
