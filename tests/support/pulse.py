"""A private PulseAudio daemon standing in for a room with a microphone and a speaker.

One three-channel null sink, ``room``, is the room; everything is recorded from its
monitor in one stream, so the times of what was said and what was played come from
the same clock, sample for sample:

- channel 1 (front-left) is what the microphone hears: the person (``voice`` sink)
  plus, with ``echo_db``, the assistant's own speech at that level (``echo_ms`` late through
  a loopback, if asked);
- channel 2 (front-right) is the speaker: the assistant plays into ``speaker``;
- channel 3 (rear-left) is the person's voice alone, to time what they said.

The assistant's default source is ``mic`` (channel 1), its default sink ``speaker``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import numpy as np

RATE = 22050  # the room's rate: the assistant's output rate, so its speech is not resampled
CHANNELS = 3


class PulseError(Exception):
    pass


def module(name: str, **args: object) -> str:
    return f"--load={name} " + " ".join(f"{k}={v}" for k, v in args.items())


class Room:
    """The daemon; ``env`` points a process at it. Use as a context manager."""

    def __init__(self, runtime: Path, *, echo_db: float | None = None,
                 echo_ms: int = 0):
        if shutil.which("pulseaudio") is None:
            raise PulseError("pulseaudio is not installed; scripts/setup.sh --test installs it")
        self.runtime, self.echo_db, self.echo_ms = runtime, echo_db, echo_ms
        self.env = os.environ | {
            "PULSE_RUNTIME_PATH": str(runtime), "PULSE_STATE_PATH": str(runtime),
            "PULSE_SERVER": f"unix:{runtime}/native", "HOME": str(runtime)}
        self.daemon: subprocess.Popen | None = None

    def __enter__(self) -> Room:
        self.runtime.mkdir(parents=True, exist_ok=True)
        modules = [
            module("module-native-protocol-unix", **{"auth-anonymous": 1},
                   socket=f"{self.runtime}/native"),
            module("module-null-sink", sink_name="room", rate=RATE, channels=CHANNELS,
                   channel_map="aux0,aux1,aux2"),
            self.speaker(),
            module("module-remap-sink", sink_name="voice", master="room", channels=2,
                   master_channel_map="aux0,aux2",
                   channel_map="aux0,aux1", remix="no"),
            module("module-remap-sink", sink_name="echo_in", master="room", channels=1,
                   master_channel_map="aux0", channel_map="mono", remix="no"),
            module("module-remap-source", source_name="mic", master="room.monitor",
                   channels=1, master_channel_map="aux0", channel_map="mono",
                   remix="no"),
            module("module-remap-source", source_name="played", master="room.monitor",
                   channels=1, master_channel_map="aux1", channel_map="mono",
                   remix="no"),
            "--load=module-always-sink",
        ]
        self.daemon = subprocess.Popen(
            # No CPU limit: under a busy machine's load the daemon would end itself.
            ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--disable-shm=yes",
             "--no-cpu-limit",
             *modules], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while self.pactl("info", check=False).returncode:
            if time.monotonic() > deadline or self.daemon.poll() is not None:
                self.close()
                raise PulseError("the PulseAudio daemon did not start")
            time.sleep(0.2)
        # A stream of silence keeps the room running, so its recording has no gaps.
        self.keepalive = subprocess.Popen(
            ["pacat", "--playback", "--device=room", "--raw", "--format=s16le",
             "--channel-map=aux0,aux1,aux2",
             f"--channels={CHANNELS}", f"--rate={RATE}", "--latency-msec=50", "/dev/zero"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.pactl("set-default-source", "mic")
        self.pactl("set-default-sink", "speaker")
        if self.echo_db is not None and not self.echo_ms:
            # The speaker's two channels: the speaker as played, and what reaches the
            # microphone. (Volumes as PulseAudio counts them: the cube of the amplitude.)
            level = round(0x10000 * 10 ** (self.echo_db / 60))
            self.pactl("set-sink-volume", "speaker", str(0x10000), str(level))
        elif self.echo_db is not None:
            self.pactl("load-module", "module-loopback", "source=played", "sink=echo_in",
                       f"latency_msec={self.echo_ms}", "source_dont_move=true",
                       "sink_dont_move=true", "adjust_time=0")
            for line in self.pactl("list", "short", "sink-inputs").stdout.splitlines():
                if "loopback" in line:
                    self.pactl("set-sink-input-volume", line.split("\t")[0],
                               f"{self.echo_db}dB")
        return self

    def speaker(self) -> str:
        """The sink the assistant plays into. With an echo and no delay, it feeds the
        microphone's channel as well as the speaker's. (A delay needs a loopback, whose short
        buffers make the daemon and the recorder wake every few milliseconds: about half a
        core between them, taken from the assistant measured. Without one the microphone
        still hears the speaker some 40 ms after it was handed the sound, as on a laptop:
        the sound card's buffers, out and in.)"""
        if self.echo_db is not None and not self.echo_ms:
            return module("module-remap-sink", sink_name="speaker", master="room", channels=2,
                          master_channel_map="aux1,aux0",
                          channel_map="front-left,front-right", remix="no")
        return module("module-remap-sink", sink_name="speaker", master="room", channels=1,
                      master_channel_map="aux1", channel_map="mono", remix="no")

    def microphone_away(self, away: bool = True) -> None:
        """The microphone stops sending sound (its source suspended: the stream stalls, as
        with a stuck USB device), or, with ``away`` False, sends again. (Unloading it would
        not do: the sound server moves its streams to another source.)"""
        self.pactl("suspend-source", "mic", "1" if away else "0")

    def speaker_away(self, away: bool = True) -> None:
        """The speaker stops taking sound (its sink suspended), or takes it again."""
        self.pactl("suspend-sink", "speaker", "1" if away else "0")

    def pactl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["pactl", *args], env=self.env, capture_output=True, text=True,
                              check=check, timeout=30)

    def say(self, samples: np.ndarray, rate: int, *, wait: bool = True
            ) -> subprocess.Popen:
        """Play mono float ``samples`` as the person in the room: into the microphone and,
        alone, into the third channel. With ``wait``, returns once played."""
        pcm = np.clip(np.round(samples * 32767), -32768, 32767).astype("<i2")
        player = subprocess.Popen(
            ["pacat", "--playback", "--device=voice", "--raw", "--format=s16le",
             "--channels=2", "--channel-map=aux0,aux1", f"--rate={rate}", "--latency-msec=100"],
            env=self.env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        assert player.stdin is not None
        player.stdin.write(np.repeat(pcm, 2).tobytes())
        player.stdin.close()
        if wait:
            player.wait(120)
        return player

    def close(self) -> None:
        if getattr(self, "keepalive", None):
            self.keepalive.kill()
            self.keepalive.wait()
        if self.daemon:
            self.daemon.terminate()
            try:
                self.daemon.wait(10)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
            self.daemon = None

    def __exit__(self, *exc: object) -> None:
        self.close()


class Recording:
    """Everything heard in the room, as it happens: ``samples`` (n × 3 float32) so far.

    Reads ``parec``'s raw output on a thread; ``arrived`` maps a sample index to the
    monotonic time at which it arrived (within a few milliseconds)."""

    def __init__(self, room: Room):
        self.process = subprocess.Popen(
            ["parec", "--device=room.monitor", f"--channels={CHANNELS}", f"--rate={RATE}",
             "--channel-map=aux0,aux1,aux2",
             "--format=float32le", "--latency-msec=50"],
            env=room.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            # The recorder yields the processor to whatever it records: with the echo's
            # loopback the room hands it sound every few milliseconds (a quarter of a core).
            preexec_fn=lambda: os.nice(10))
        self._buffer = np.zeros((RATE * 60, CHANNELS), np.float32)  # grows by doubling
        self._lock = threading.Lock()
        self.frames = 0
        self.first_arrival: float | None = None
        self.newest = 0.0  # the monotonic time at which the newest block arrived
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        frame = 4 * CHANNELS
        rest = b""
        while True:
            data = self.process.stdout.read1(1 << 14) if hasattr(self.process.stdout, "read1") \
                else self.process.stdout.read(1 << 14)
            if not data:
                return
            data = rest + data
            usable = len(data) - len(data) % frame
            rest = data[usable:]
            block = np.frombuffer(data[:usable], np.float32).reshape(-1, CHANNELS)
            with self._lock:
                self.newest = time.monotonic()
                if self.first_arrival is None:
                    self.first_arrival = self.newest - len(block) / RATE
                if self.frames + len(block) > len(self._buffer):
                    self._buffer = np.concatenate([self._buffer, np.zeros_like(self._buffer)])
                self._buffer[self.frames:self.frames + len(block)] = block
                self.frames += len(block)

    @property
    def samples(self) -> np.ndarray:
        """What was recorded so far (a view: copying an hour's recording at every look
        would take the bench's share of the processor from the assistant it measures)."""
        with self._lock:
            return self._buffer[:self.frames]

    def clock(self) -> tuple[int, float]:
        """Samples recorded so far, and the monotonic time at which the newest arrived (the
        room's clock and the monotonic one drift apart over a long run, so counting from the
        first sample would not do)."""
        with self._lock:
            return self.frames, time.monotonic() if self.first_arrival is None else self.newest

    def close(self) -> np.ndarray:
        self.process.terminate()
        self.process.wait(10)
        self._thread.join(5)
        return self.samples
