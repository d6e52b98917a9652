#!/usr/bin/env python3
"""Small enough for a Raspberry Pi: start-up time and memory of `grounding run`, live.

A private PulseAudio daemon stands in for the sound card (tests/support/pulse.py). Each
trial starts `grounding run` with the default engine, times it from the start of the
process to the line that says it is listening (the microphone open, every routine
rendered), then has a person (flite) start the body scan and pause it, and reads the
resident memory of the process and of the voice worker it runs: their peaks (VmHWM, added)
and at the end (VmRSS). The trials share one data folder: the first starts with nothing
rendered (a first start), the others find every rendering in its cache.

    .venv/bin/python scripts/bench_startup.py [--trials 3] [--config config.yaml] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.sound.files import read_wav  # noqa: E402
from tests.support.pulse import RATE, Room  # noqa: E402


def memory(pid: int) -> dict[str, int]:
    """VmHWM (the peak) and VmRSS of ``pid`` and its children together, in MB."""
    found = {"VmHWM": 0, "VmRSS": 0}
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for each in [pid, *map(int, children)]:
        with open(f"/proc/{each}/status") as f:
            for k, v in (line.split(":", 1) for line in f):
                if k in found:
                    found[k] += int(v.split()[0]) // 1024
    return found


def spoken(text: str, folder: Path) -> object:
    wav = folder / f"{text.replace(' ', '_')}.wav"
    subprocess.run(["flite", "-voice", "slt", "-t", text, "-o", str(wav)], check=True)
    return read_wav(wav, RATE)


def trial(config: Path, folder: Path, data: Path) -> dict[str, float]:
    with Room(folder / "pulse") as room:
        env = room.env | {"GROUNDING_DATA": str(data)}
        began = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "run", "--config", str(config),
             "--events", str(folder / "events.jsonl")], env=env, cwd=folder,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        assert process.stderr is not None
        for line in process.stderr:
            if line.startswith("Listening"):
                break
        else:
            raise SystemExit(f"it ended before listening (exit {process.wait()})")
        ready = time.monotonic() - began
        at_start = memory(process.pid)
        room.say(spoken("body scan", folder), RATE)
        time.sleep(12.0)
        room.say(spoken("stop everything", folder), RATE)
        time.sleep(8.0)
        used = memory(process.pid)
        process.send_signal(signal.SIGINT)
        process.wait(30)
        triggers = [json.loads(x)["intent"] for x in (folder / "events.jsonl").read_text()
                    .splitlines() if json.loads(x)["event"] == "trigger"]
    return {"ready_s": round(ready, 2), "rss_listening_mb": at_start["VmRSS"],
            "rss_end_mb": used["VmRSS"], "peak_mb": used["VmHWM"], "heard": triggers}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--trials", type=int, default=3)
    p.add_argument("--config", type=Path, default=ROOT / "config.yaml")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    runs = []
    with tempfile.TemporaryDirectory(prefix="startup-data-") as data:
        for i in range(args.trials):
            with tempfile.TemporaryDirectory(prefix="startup-") as tmp:
                runs.append(trial(args.config.resolve(), Path(tmp), Path(data)))
            if not args.json:
                print(f"trial {i + 1}: {runs[-1]}", flush=True)
    warm = runs[1:] or runs
    summary = {"trials": len(runs), "first_start_s": runs[0]["ready_s"],
               "ready_s_median": statistics.median(r["ready_s"] for r in warm),
               "ready_s_max": max(r["ready_s"] for r in warm),
               "peak_mb_max": max(r["peak_mb"] for r in runs),
               "rss_end_mb_max": max(r["rss_end_mb"] for r in runs), "runs": runs}
    print(json.dumps(summary) if args.json else
          f"first start to listening: {summary['first_start_s']} s; later starts: median "
          f"{summary['ready_s_median']} s, "
          f"longest {summary['ready_s_max']} s; resident memory: peak "
          f"{summary['peak_mb_max']} MB, after a routine {summary['rss_end_mb_max']} MB")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
