"""``grounding record``: a routine in a voice of their own, step by step (``speaking/takes.py``).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import threading
import time
from pathlib import Path

import numpy as np

from ..settings import Config
from ..sound import IN_RATE, OUT_RATE, AudioError
from ..sound.devices import Microphone, Speaker, abandon
from ..sound.files import read_wav, resample
from ..sound.player import Player
from ..speaking import takes
from ..speaking.words import fill, fill_values
from ..store import default_store
from .common import EXIT_AUDIO, EXIT_CONFIG, Refused, load_config

#: A take quieter than this at its loudest (-40 dBFS) holds no voice.
QUIET = 0.01
#: Seconds of room kept before and after the voice in a take.
PAD = 0.25


def cmd_record(args: argparse.Namespace) -> int:
    store = default_store()
    if args.forget:
        gone = takes.forget(store)
        print(f"Deleted {gone} recorded step{'s' if gone != 1 else ''}; the synthetic voice "
              "says every step again." if gone else "There were no recorded steps to delete.")
        return 0
    config = load_config(args.config)
    if not args.routine:
        raise Refused("Name the routine to record, e.g. grounding record pause (or "
                      "grounding record --forget to delete the recordings).", EXIT_CONFIG)
    if args.routine not in config.scripts:
        raise Refused(f"'{args.routine}' is not a routine made of steps in {args.config}; "
                      f"choose one of {', '.join(config.scripts)}.", EXIT_CONFIG)
    steps = steps_to_record(config, args.routine)
    if args.takes is not None:
        if len(args.takes) != len(steps):
            raise Refused(f"--from needs one recording for each of the {len(steps)} steps of "
                          f"'{args.routine}' that can be recorded, in order; "
                          f"{len(args.takes)} were given.", EXIT_CONFIG)
        for (_, text), path in zip(steps, args.takes):
            takes.keep(store, text, voiced(read_wav(path, OUT_RATE), str(path)))
        print(f"Kept {len(steps)} recorded steps of '{args.routine}'.")
        return 0
    kept = walk_through(steps, config, store)
    print(f"Kept {kept} recorded step{'s' if kept != 1 else ''} of '{args.routine}', only on this "
          f"device ({store / takes.FOLDER}); 'grounding record --forget' deletes them.")
    return 0


def steps_to_record(config: Config, routine: str) -> list[tuple[int, str]]:
    """(number, words as said today) of each step whose words do not change with the day."""
    values = fill_values(config, dt.datetime.now())
    return [(i, fill(step.say, values)) for i, step in enumerate(config.scripts[routine], 1)
            if step.say.strip() and takes.recordable(step.say)]


def voiced(sound: np.ndarray, where: str) -> np.ndarray:
    """The voice in a take, with a little room around it; a take with no voice is refused."""
    loud = np.flatnonzero(np.abs(sound) > QUIET)
    if not len(loud):
        raise Refused(f"{where}: no voice in it (it is silent or very quiet); record it "
                      "again a little closer to the microphone.", EXIT_CONFIG)
    pad = int(PAD * OUT_RATE)
    return sound[max(loud[0] - pad, 0):loud[-1] + pad].astype(np.float32)


def walk_through(steps: list[tuple[int, str]], config: Config, store: Path) -> int:
    """Each step recorded from the microphone and played back: keep it, or again."""
    def ask(prompt: str) -> str:
        return input(prompt).strip().lower()

    print(f"{len(steps)} steps to record. Read each one aloud in a calm voice, at the pace you "
          "like to hear. Recordings stay only on this device.", file=sys.stderr)
    player = Player()
    try:
        microphone = Microphone(chunk=IN_RATE // 50, device=config.input_device)
        speaker = Speaker(player, device=config.output_device)
    except AudioError as exc:
        raise Refused(str(exc), EXIT_AUDIO) from None
    kept = 0
    try:
        for n, (number, text) in enumerate(steps, 1):
            print(f"\nStep {number} ({n} of {len(steps)}):\n  {text}", file=sys.stderr)
            while True:
                answer = ask("Press Enter, then read it; press Enter again when done "
                             "(s skips this step, q stops here): ")
                if answer in ("s", "q"):
                    break
                sound = until_enter(microphone)
                try:
                    sound = voiced(resample(sound, IN_RATE, OUT_RATE), "that take")
                except Refused as exc:
                    print(str(exc).removeprefix("that take: ").capitalize(), file=sys.stderr)
                    continue
                player.play(sound)
                time.sleep(len(sound) / OUT_RATE + 0.2)
                answer = ask("Keep it? (Enter keeps it, a records it again): ")
                if answer != "a":
                    takes.keep(store, text, sound)
                    kept += 1
                    break
            if answer == "q":
                break
    finally:
        speaker.close()
        abandon(microphone.stream, wait=1.0)
    return kept


def until_enter(microphone: Microphone) -> np.ndarray:
    """The microphone's sound (float) from now until Enter is pressed."""
    while not microphone.chunks.empty():  # what it heard during the prompt and the playback
        microphone.chunks.get_nowait()
    done = threading.Event()

    def wait_for_enter() -> None:
        sys.stdin.readline()
        done.set()

    threading.Thread(target=wait_for_enter, daemon=True).start()
    heard = []
    for chunk in microphone:
        heard.append(chunk)
        if done.is_set():
            break
    return np.concatenate(heard).astype(np.float32) / 32768.0
