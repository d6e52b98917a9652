#!/usr/bin/env python3
"""A long run: hours of audio through ``grounding run --input … --output … --fast``.

    .venv/bin/python scripts/bench_soak.py --hours 2

The input is silence with a routine started every few minutes and then paused,
resumed, and quieted (flite voices), written to a temporary WAV a piece at a time. The
assistant runs as ``run`` would, writing its output WAV; the benchmark follows its
resident memory (``/proc``) against how far into the audio it is (its event log), and
checks that every phrase said was acted on, once.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.sound import IN_RATE  # noqa: E402
from assistant.sound.files import to_int16  # noqa: E402
from tests.support.voices import flite  # noqa: E402

#: One cycle of what is said: (seconds into the cycle, phrase, intent).
CYCLE = [(5, "body scan", "body_scan"), (40, "stop everything", "pause"),
         (60, "continue please", "resume"), (100, "be quiet now", "quiet"),
         (130, "ground me now", "ground"), (160, "be quiet now", "quiet"),
         (190, "breathe with me", "breathe"), (230, "be quiet now", "quiet")]
CYCLE_SECONDS = 270


def write_input(path: Path, hours: float) -> list[str]:
    """The long recording, written cycle by cycle; the intents said, in order."""
    said: list[str] = []
    phrases = {text: to_int16(flite(text, "rms")) for _, text, _ in CYCLE}
    cycles = int(hours * 3600 // CYCLE_SECONDS)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(IN_RATE)
        for _ in range(cycles):
            audio = np.zeros(CYCLE_SECONDS * IN_RATE, np.int16)
            for at, text, intent in CYCLE:
                sound = phrases[text]
                audio[at * IN_RATE:at * IN_RATE + len(sound)] = sound
                said.append(intent)
            w.writeframes(audio.tobytes())
    return said


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def last_time(events: Path) -> float:
    try:
        with open(events, "rb") as f:
            f.seek(max(0, f.seek(0, 2) - 4096))
            lines = f.read().decode(errors="replace").splitlines()
        return float(json.loads(lines[-1])["t"]) if lines else 0.0
    except (OSError, ValueError, KeyError, IndexError):
        return 0.0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--hours", type=float, default=2.0)
    p.add_argument("--config", type=Path, default=ROOT / "config.yaml")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        said = write_input(folder / "in.wav", args.hours)
        events = folder / "events.jsonl"
        started = time.monotonic()
        run = subprocess.Popen(
            [sys.executable, "-m", "assistant", "run", "--config", str(args.config),
             "--input", str(folder / "in.wav"), "--output", str(folder / "out.wav"),
             "--events", str(events), "--fast"], stderr=subprocess.PIPE, text=True)
        samples: list[tuple[float, float]] = []
        while run.poll() is None:
            try:
                samples.append((last_time(events), rss_mb(run.pid)))
            except OSError:
                break
            time.sleep(1.0)
        code = run.wait()
        seconds = time.monotonic() - started
        log = [json.loads(x) for x in events.read_text().splitlines()]
        acted = [e["intent"] for e in log if e["event"] == "trigger"]
        out_seconds = 0.0
        if (folder / "out.wav").exists():
            with wave.open(str(folder / "out.wav")) as w:
                out_seconds = w.getnframes() / w.getframerate()
        err = run.stderr.read() if run.stderr else ""
    after_ten = [m for t, m in samples if t >= 600]
    result = {
        "audio_hours": round(len(said) / len(CYCLE) * CYCLE_SECONDS / 3600, 2),
        "wall_minutes": round(seconds / 60, 1), "exit": code,
        "said": len(said), "acted": len(acted), "all_acted_on_in_order": acted == said,
        "rss_at_10_min_mb": round(after_ten[0], 1) if after_ten else None,
        "rss_end_mb": round(samples[-1][1], 1) if samples else None,
        "rss_peak_mb": round(max(m for _, m in samples), 1) if samples else None,
        # From the 10th minute of audio to the end, and the most it rose above that meanwhile.
        "growth_to_end_mb": round(after_ten[-1] - after_ten[0], 1) if after_ten else None,
        "most_above_10_min_mb": round(max(after_ten) - after_ten[0], 1) if after_ten
        else None,
        "output_hours": round(out_seconds / 3600, 2),
        "traceback": "Traceback" in err,
    }
    if not result["all_acted_on_in_order"]:
        result["first_difference"] = next(
            (i, a, b) for i, (a, b) in enumerate(zip(acted + [None] * len(said), said))
            if a != b)
    print(json.dumps(result, indent=2) if args.json else
          "\n".join(f"{k:24s} {v}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
