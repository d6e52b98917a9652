"""How the assistant shows it heard: a soft chime, and a short sentence for every phrase
that has nothing to act on, so no phrase is met with silence."""
from __future__ import annotations

import numpy as np

from ..sound import OUT_RATE

#: Two soft notes, a fifth apart (C5 then G5), each with a smooth rise and fall.
CHIME_NOTES = (523.25, 783.99)
CHIME_NOTE = 0.11  # seconds each
CHIME_LEVEL = 0.08  # peak, of full scale: well under the voice
#: Quiet after the chime (and after a short answer) before what follows.
GAP = 0.12

#: What is said when a phrase has nothing to act on, or acts without words of its own.
ANSWERS = {
    "nothing_to_resume": "There is nothing to go back to right now. You can start something "
                         "new whenever you like.",
    "nothing_playing": "Nothing is playing right now.",
    "slower": "A little slower.",
    "faster": "A little faster.",
    "slowest": "This is already the slowest pace.",
    "fastest": "This is already the fastest pace.",
    "no_pace": "The pace can change in breathing, the body scan and grounding.",
    "no_skip": "There are no parts to skip in this one.",
    "last_part": "That was the last part.",
    "no_change_left": "This is the last part; it stays as it is.",
    "quiet": "Okay. I'll be quiet.",
}


def chime() -> np.ndarray:
    """The confirmation sound: generated here (no file to lose), about a quarter second."""
    n = int(CHIME_NOTE * OUT_RATE)
    t = np.arange(n) / OUT_RATE
    window = np.sin(np.pi * np.arange(n) / n) ** 2  # no click at either end
    notes = [np.sin(2 * np.pi * f * t) * window for f in CHIME_NOTES]
    return (CHIME_LEVEL * np.concatenate(notes + [np.zeros(int(GAP * OUT_RATE))])
            ).astype(np.float32)


def greeting(pause_phrase: str) -> str:
    """Said once when it starts listening (``feedback.greeting``)."""
    return f"I'm listening. To pause at any time, say: {pause_phrase}."
