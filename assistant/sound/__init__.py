"""Sound in and out: files, devices, the player and the echo canceller.

Two sample rates, one meaning each: everything the assistant hears is 16 kHz
mono; everything it says is rendered at espeak-ng's native 22.05 kHz.
"""

IN_RATE = 16000
"""Samples a second of everything heard (microphone, files, recognisers)."""
OUT_RATE = 22050
"""Samples a second of everything said (speech, tones, the player)."""


class AudioError(Exception):
    """An audio device or file cannot be used; the message is one sentence in plain words,
    ``detail`` what the sound system itself said (shown with ``--verbose``)."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.detail = detail


class AudioFileError(AudioError):
    """An audio file given to read is missing or not audio (the user's input to fix)."""
