"""``grounding run`` (listen and answer) and ``grounding detect`` (the phrases in a recording).
"""
from __future__ import annotations

import argparse
import json
import signal
import threading
from contextlib import ExitStack

from ..app import Session, recogniser_for
from ..deciding.machine import intents_of
from ..hearing.base import detect_samples, distinct
from ..screen import status_of
from ..settings import Config
from ..sound import IN_RATE, AudioFileError
from ..sound.files import read_wav, to_int16
from ..speaking.answers import ANSWERS
from ..store import default_store
from .common import (
    EXIT_CONFIG,
    load_config,
    show,
    tell,
)


def cmd_run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    reload = threading.Event()  # SIGHUP: read the file again, in the loop (not the handler)
    if hasattr(signal, "SIGHUP") and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGHUP, lambda signum, frame: reload.set())
    with ExitStack() as stack:
        screen = show(stack, config)
        session = Session(config, stack, store=default_store(), input=args.input,
                          output=args.output, events=args.events, realtime=not args.fast,
                          chunk_ms=args.chunk_ms, tell=tell, reload=reload,
                          verbose=args.verbose, journal=not args.no_journal,
                          headless=args.service,
                          watch=lambda assistant: screen.update(status_of(assistant)))
        voice = session.assistant.voice
        if voice.engine == "piper" and not voice.has(ANSWERS["quiet"]):
            tell("Preparing your routines in the natural voice, once (about a minute).")
        session.assistant.prepare()
        session.open_microphone()
        if not args.input:
            tell(first_words(config))
            session.assistant.greet()  # a recording played in has nobody to greet
            session.keep_voice_ready()
            session.learn_in_background()
        session.serve(until_idle=bool(args.input))
    return 0


def first_words(config: Config) -> str:
    """One short line on start: how to pause, and how to hear every phrase."""
    pause, every = config.words.get("pause", ()), config.words.get("what_can_i_say", ())
    line = f"Listening. Say '{pause[0]}' to pause at any time" if pause else "Listening"
    if every:
        line += f", or '{every[0]}' to hear all your phrases"
    return line + ". Ctrl-C ends."


def cmd_detect(args: argparse.Namespace) -> int:
    config = load_config(args.config, quiet=True)
    chunk = max(1, IN_RATE * args.chunk_ms // 1000)
    intents = intents_of(config)  # a check-in's answers too ("rating")
    recogniser = None
    failed = False
    for path in args.wavs:
        try:
            samples = to_int16(read_wav(path))
        except AudioFileError as exc:  # said in its line; the other files are still heard
            print(json.dumps({"file": str(path), "error": str(exc)}))
            failed = True
            continue
        recogniser = (recogniser_for(config, store=default_store(), tell=tell)
                      if recogniser is None else recogniser.fresh())
        found = distinct(detect_samples(recogniser, samples, chunk=chunk))  # acted on
        print(json.dumps({"file": str(path), "detections": [
            {"intent": intents[d.phrase], "phrase": d.phrase, "start": round(d.start, 3),
             "end": round(d.end, 3), "time": round(d.time, 3)} for d in found]}))
    return EXIT_CONFIG if failed else 0
