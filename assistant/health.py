"""How a live session keeps up, in the event log: the echo canceller every half minute,
each time the loop falls behind the microphone, and at the end what the sound card lost
and which quick stage found the phrases."""
from __future__ import annotations

import math

from .deciding.assistant import Assistant
from .deciding.events import Audio, Behind, CaughtUp, Echo, Hearing, Log
from .sound import IN_RATE
from .sound.devices import Microphone, Speaker

#: Seconds of audio between two notes of what the echo canceller did (``echo``).
ECHO_EVERY = 30.0
#: Seconds behind the microphone past which the loop's lag is logged (``behind``).
LAG = 0.2


class Health:
    def __init__(self, assistant: Assistant, log: Log,
                 microphone: Microphone, speaker: Speaker | None):
        self.assistant, self.log = assistant, log
        self.microphone, self.speaker = microphone, speaker
        self.lag = 0.0  # the most the loop is behind the microphone, while it is behind
        self.echo_noted, self.echo_blocks = 0.0, (0, 0)  # when the echo was last noted

    def note(self) -> None:
        """Each chunk."""
        self.note_lag()
        self.note_echo()

    def note_echo(self) -> None:
        """Every ``ECHO_EVERY`` seconds: how much of its own echo the canceller took out over
        them (where the microphone held the echo alone), the share of blocks it served, and
        where the reference stands (the clocks' drift, how far it moved)."""
        now = self.assistant.now
        if now < self.echo_noted + ECHO_EVERY:
            return
        canceller, reference = self.assistant.canceller, self.assistant.reference
        taken = canceller.taken(self.echo_noted, now)
        blocks, used = canceller.blocks - self.echo_blocks[0], canceller.used - self.echo_blocks[1]
        self.log(now, Echo(taken_db=round(-10 * math.log10(max(1.0 - taken, 1e-6)), 1),
                           served=round(used / blocks, 3) if blocks else None,
                           drift_ppm=round(reference.drift, 1),
                           moved_ms=round(reference.moved / IN_RATE * 1000)))
        self.echo_noted, self.echo_blocks = now, (canceller.blocks, canceller.used)

    def note_lag(self) -> None:
        """Each time the loop falls more than ``LAG`` behind the microphone (a phrase said
        then is acted on that much later), with the most it fell behind."""
        waiting = self.microphone.waiting
        if waiting > LAG and self.lag == 0.0:
            self.log(self.assistant.now, Behind(seconds=round(waiting, 2)))
        if self.lag and waiting < LAG / 3:
            self.log(self.assistant.now, CaughtUp(most=round(self.lag, 2)))
            self.lag = 0.0
        elif waiting > LAG:
            self.lag = max(self.lag, waiting)

    def report(self) -> None:
        """When it ends: how often each quick stage found a phrase (two-stage engine); how
        the sound card kept up (sound the microphone lost, moments the speaker had nothing to
        play, the longest the loop fell behind the microphone)."""
        finds = getattr(self.assistant.recogniser, "finds", None)
        if finds is not None:
            self.log(self.assistant.now, Hearing(finds=dict(finds)))
        microphone, speaker = self.microphone, self.speaker
        canceller, reference = self.assistant.canceller, self.assistant.reference
        self.log(self.assistant.now, Audio(
            overflows=microphone.overflows, microphone_lost=microphone.losses,
            speaker_lost=speaker.losses if speaker else 0,
            underflows=speaker.underflows if speaker else 0,
            behind_ms=round(microphone.behind * 1000),
            echo_cancelled=round(canceller.used / canceller.blocks, 3)
            if canceller.blocks else None,
            reference_moved_ms=round(reference.moved / IN_RATE * 1000),
            reference_lead_ms=round((reference.usual or 0) / IN_RATE * 1000),
            in_latency_ms=round(microphone.stream.latency * 1000, 1)
            if microphone.stream is not None else None,
            out_latency_ms=round(speaker.stream.latency * 1000, 1)
            if speaker and speaker.stream is not None else None))
