"""``grounding enroll`` and ``grounding learn``: the user's own takes of their phrases, and the
ear learned from them.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Iterator

import numpy as np

from ..app import recogniser_for
from ..hearing.base import RecogniserError
from ..learning.enroll import TakeError, forget, record, save, trim
from ..learning.enroll import load as load_takes
from ..learning.learn import load_or_train
from ..recognisers import choose_engine, ear_phrases
from ..settings import Config, normalise_phrase
from ..sound import IN_RATE
from ..sound.devices import Microphone
from ..sound.files import read_wav
from ..store import default_store
from .common import (
    EXIT_AUDIO,
    EXIT_CONFIG,
    Refused,
    load_config,
    tell,
)


def cmd_enroll(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    store = default_store()
    phrase = normalise_phrase(args.phrase or "")
    if phrase and phrase not in config.phrases:
        raise Refused(f"'{args.phrase}' is not one of the phrases in {args.config} "
                      "(listen.words); enroll one of those.", EXIT_CONFIG)
    targets = [phrase] if phrase else list(config.words.get("pause", ()))
    if args.forget:
        gone = forget(store, tuple(targets) if args.phrase else None)
        print("Deleted your recordings of " + ", ".join(f"'{g}'" for g in gone) +
              ", and what was learned from them."
              if gone else "There were no recordings of your voice to delete.")
        return 0
    engine = choose_engine(config)
    if engine == "whisper" and not config.fast_stop:
        raise Refused(f"{config.where('listen', 'fast_stop')}: it is off, so nothing is "
                      "learned from your voice; set it to true to teach it your phrases.",
                      EXIT_CONFIG)
    if engine != "embedding" and not ear_phrases(config):
        raise Refused(f"{config.where('listen', 'engine')}: this engine learns nothing from "
                      "your voice; auto (with listen.fast_stop on) or embedding does.",
                      EXIT_CONFIG)
    if not 1 <= args.times <= 10:
        raise Refused("--times must be between 1 and 10.", EXIT_CONFIG)
    if args.takes:
        if len(targets) != 1:
            raise Refused("--from needs the phrase the recordings say, e.g. "
                          f"grounding enroll '{targets[0]}' --from a.wav b.wav c.wav",
                          EXIT_CONFIG)
        takes = []
        for path in args.takes:
            try:
                takes.append(trim(read_wav(path)))
            except TakeError as exc:
                raise Refused(f"{path}: {exc}", EXIT_CONFIG) from None
        save(store, targets[0], takes)
    else:
        chunks = iter(Microphone(chunk=IN_RATE // 50, device=config.input_device))
        for phrase in targets:
            save(store, phrase, record_takes(phrase, args.times, chunks))
    tell("Learning your voice...")
    learn_now(config, store)  # so that the next start is ready at once
    print(f"Done: your recordings of {', '.join(repr(t) for t in targets)} are kept only on "
          f"this device ({store / 'enrolled'}); 'grounding enroll --forget' deletes them.")
    return 0


def lowest_priority() -> None:
    """This process at the lowest priority, every thread of it (on Linux each thread has a
    priority of its own, and the libraries loaded at start-up have started theirs)."""
    tasks = Path("/proc/self/task")
    if not tasks.is_dir():
        os.nice(19)
        return
    for task in tasks.iterdir():
        try:
            os.setpriority(os.PRIO_PROCESS, int(task.name), 19)
        except (ProcessLookupError, ValueError):
            pass  # ended meanwhile


def cmd_learn(args: argparse.Namespace) -> int:
    if args.background:  # started by a running assistant: it keeps the processor it needs
        lowest_priority()
    config = load_config(args.config, quiet=True)
    if not learn_now(config, default_store()):
        tell(f"Nothing to learn: {config.where('listen', 'engine')} learns nothing, or "
             "listen.fast_stop is off.")
    return 0


def learn_now(config: Config, store: Path) -> bool:
    """Learn what the configured engine learns, if it is not learned yet: every phrase for
    the embedding engine, the ear of every phrase for the two stages. False if nothing is."""
    if choose_engine(config) == "embedding":
        recogniser_for(config, store=store, tell=tell)
        return True
    phrases = ear_phrases(config)
    if not phrases:
        return False
    try:
        load_or_train(phrases, store, enrolled=load_takes(store, phrases),
                      progress=lambda m: tell(f"Learning how your words sound: {m}..."))
    except RecogniserError as exc:
        raise Refused(f"Learning how your words sound: {exc}", EXIT_AUDIO) from None
    tell("Learned how your words sound.")
    return True


def record_takes(phrase: str, times: int, chunks: Iterator[np.ndarray]) -> list[np.ndarray]:
    """``times`` good takes of ``phrase`` from the microphone, asking again after a poor one."""
    takes: list[np.ndarray] = []
    misses = 0
    while len(takes) < times:
        print(f"Say '{phrase}' in your normal voice ({len(takes) + 1} of {times})...",
              file=sys.stderr)
        try:
            take = record(chunks)
            if not len(take):
                raise TakeError("nothing was heard.")
            takes.append(trim(take))
            misses = 0
            print("Got it.", file=sys.stderr)
        except TakeError as exc:
            misses += 1
            if misses == 3:
                raise Refused(f"Three takes in a row could not be used (the last: "
                              f"{str(exc).rstrip('.')}). Check the microphone with "
                              "'grounding devices' and try again.", EXIT_AUDIO) from None
            print(f"That take could not be used: {exc} Let's try again.", file=sys.stderr)
    return takes
