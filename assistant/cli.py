"""The command line: ``grounding run | say | detect | enroll | check | devices``.

Library code raises; only this module prints problems and picks exit codes:
0 fine, 2 the configuration, an argument or a file given is wrong, 3 no audio device or
speech engine, 130 stopped with Ctrl-C, 143 with SIGTERM.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import sys
import threading
from contextlib import ExitStack
from pathlib import Path
from typing import Iterator

import numpy as np

from . import settings as config_module
from .app import Session, recogniser_for, voice_for
from .core import intents_of
from .espeak import EspeakError
from .hearing.base import ModelError, RecogniserError, detect_samples, distinct
from .hearing.pocketsphinx import known_phrases
from .journal import Journal, JournalError, as_csv, journal_path, plot, table
from .learning.enroll import TakeError, forget, record, save, trim
from .learning.enroll import load as load_takes
from .learning.learn import learned, load_or_train
from .learning.lexicon import phrase_warnings
from .offline import forbid_network
from .recognisers import choose_engine, ear_to_learn, pause_phrases
from .screen import Screen, status_of
from .service import ServiceError
from .service import install as install_service
from .service import remove as remove_service
from .service import status as service_status
from .settings import Config, ConfigError, normalise_phrase
from .setup import SetupError, asked, first_time, run_setup
from .sound import IN_RATE, AudioError, AudioFileError
from .sound.devices import Microphone, list_devices, streams_opened
from .sound.files import read_wav, to_int16
from .speaking.routines import render
from .speaking.voice import VoiceError
from .store import default_store

DEFAULT_CONFIG = Path("config.yaml")
EXIT_CONFIG, EXIT_AUDIO = 2, 3


class Terminated(KeyboardInterrupt):
    """Asked to stop with ``SIGTERM``."""


class Refused(Exception):
    """A problem the user must fix; carries the exit code."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="grounding", description="An offline, voice-guided "
                                "grounding assistant. It listens only for your own words.")
    sub = p.add_subparsers(dest="command", required=True)

    def with_config(name: str, help: str) -> argparse.ArgumentParser:
        s = sub.add_parser(name, help=help, description=help)
        s.add_argument("--config", type=Path, default=DEFAULT_CONFIG,
                       help="the YAML file with your words, scripts and contacts")
        return s

    run = with_config("run", "listen for your words and answer out loud")
    run.add_argument("--input", type=Path, help="read audio from this WAV instead of the mic")
    run.add_argument("--output", type=Path, help="write what is said to this WAV instead")
    run.add_argument("--events", type=Path, help="write one JSON event per line to this file")
    run.add_argument("--fast", action="store_true", help="with --input: as fast as possible")
    run.add_argument("--chunk-ms", type=int, default=20, help=argparse.SUPPRESS)
    run.add_argument("--verbose", action="store_true", help="also print each event (for "
                     "developers)")
    run.add_argument("--no-journal", action="store_true", help="keep no journal this time")
    run.add_argument("--service", action="store_true", help="run as a service (with no one at "
                     "a screen): wait for a missing microphone, saying so aloud, instead of "
                     "ending")

    say = with_config("say", "play one routine now, still listening for the pause word")
    say.add_argument("routine", help="pause, help, breathing, body_scan, ground, phrases, or "
                     "one of your own routines")
    say.add_argument("--output", type=Path, help="write it to this WAV instead of playing it")
    say.add_argument("--input", type=Path, help="listen to this WAV instead of the mic")
    say.add_argument("--events", type=Path, help="write one JSON event per line to this file")
    say.add_argument("--fast", action="store_true", help="with --input: as fast as possible")
    say.add_argument("--dry-run", action="store_true",
                     help="print the sections and their start times; play nothing")
    say.add_argument("--pattern", help="breathing pattern, e.g. box, 4-7-8, resonance")
    say.add_argument("--minutes", type=float, help="breathing: how long")
    say.add_argument("--cycles", type=int, help="breathing: how many breaths")
    say.add_argument("--verbose", action="store_true", help="also print each event (for "
                     "developers)")
    say.add_argument("--no-journal", action="store_true", help="keep no journal this time")

    detect = with_config("detect", "print what is heard in WAV files, one JSON line each")
    detect.add_argument("wavs", nargs="+", type=Path)
    detect.add_argument("--chunk-ms", type=int, default=20, help="feed the audio in chunks "
                        "of this many milliseconds")

    enroll = with_config("enroll", "record your own voice saying a phrase, so it is heard "
                         "better (kept only on this device)")
    enroll.add_argument("phrase", nargs="?", help="one of your phrases (default: your pause "
                        "phrases)")
    enroll.add_argument("--times", type=int, default=3, help="how many takes (default 3)")
    enroll.add_argument("--from", dest="takes", nargs="+", type=Path, metavar="WAV",
                        help="use these recordings of the phrase instead of the microphone")
    enroll.add_argument("--forget", action="store_true", help="delete your recordings (of "
                        "the phrase, or all of them)")

    learn = with_config("learn", "learn how your phrases sound now, so that the next start "
                        "is ready at once (run does this by itself the first time)")
    learn.add_argument("--background", action="store_true", help=argparse.SUPPRESS)

    with_config("check", "check the configuration and say what to fix")
    journal = sub.add_parser("journal", help="the sessions kept in your private journal",
                             description="The sessions kept in your private journal: when, "
                             "which routine, how long, how it ended, distress before and "
                             "after.")
    journal.add_argument("--since", type=date, help="only sessions from this day (YYYY-MM-DD)")
    journal.add_argument("--export", choices=("csv",), help="print the sessions as CSV")
    journal.add_argument("--plot", type=Path, metavar="FILE.png", help="draw distress before "
                         "and after over time into this PNG")
    journal.add_argument("--forget", action="store_true", help="delete the whole journal "
                         "(asks first)")
    setup = with_config("setup", "answer a few questions to make it yours (name, phrases, "
                        "people); writes them into the configuration, keeping its comments")
    setup.add_argument("--first-time", action="store_true", help="only if it was never asked "
                       "here and the configuration still holds the example's people")
    service = with_config("service", "start it at login and restart it if it fails (a "
                          "systemd user service), or say how it is, or take it away")
    service.add_argument("action", choices=("install", "status", "remove"))
    sub.add_parser("devices", help="list the audio devices")
    return p


def date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a day; write it as 2026-11-29.")


def load_config(path: Path, *, quiet: bool = False) -> Config:
    config, warnings = config_module.load(path)
    if not quiet:
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
    return config


def tell(message: str) -> None:
    """What the user should know while the assistant starts or runs."""
    if SCREEN:
        SCREEN[0].message(message)
    else:
        print(message, file=sys.stderr)


#: The status area while a run shows one (its messages go above it).
SCREEN: list[Screen] = []


def show(stack: ExitStack, config: Config, *, listening: bool = True) -> Screen:
    """The status area on stderr, closed with ``stack``."""
    screen = Screen(sys.stderr, engine=choose_engine(config) if listening else "not listening",
                    discreet=config.discreet)
    SCREEN.append(screen)

    def close() -> None:
        SCREEN.remove(screen)
        screen.close()

    stack.callback(close)
    return screen


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
        session.assistant.prepare()
        session.open_microphone()
        if not args.input:
            tell(first_words(config))
            session.assistant.greet()  # a recording played in has nobody to greet
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


def cmd_say(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    if args.routine not in config.routines:
        raise Refused(f"'{args.routine}' is not a routine in {args.config}; choose one of "
                      f"{', '.join(config.routines)}.", EXIT_CONFIG)
    if args.pattern and args.pattern not in config.breathing.patterns:
        raise Refused(f"--pattern {args.pattern} is not a breathing pattern; choose one of "
                      f"{', '.join(config.breathing.patterns)}.", EXIT_CONFIG)
    options = {k: v for k in ("pattern", "minutes", "cycles")
               if (v := getattr(args, k)) is not None}
    if options and args.routine != "breathing":
        raise Refused("--pattern, --minutes and --cycles only apply to breathing.", EXIT_CONFIG)
    longest = config_module.LONGEST_BREATHING
    if args.minutes is not None and not 0 < args.minutes <= longest:
        raise Refused(f"--minutes {args.minutes} is not a length of breathing; use more than 0 "
                      f"and at most {longest:g}.", EXIT_CONFIG)
    phases = config.breathing.patterns[args.pattern or config.breathing.pattern]
    if args.cycles is not None and not 0 < args.cycles * sum(phases) <= longest * 60:
        raise Refused(f"--cycles {args.cycles} is not a number of breaths; use 1 or more, for "
                      f"at most {longest:g} minutes.", EXIT_CONFIG)
    if args.dry_run:
        program = render(args.routine, config, voice_for(config), **options)
        print(f"{args.routine}: {format_time(program.seconds)} in all")
        for start, label, text in program.timeline():
            print(f"  {format_time(start)}  {label:<12} {text}")
        return 0
    with ExitStack() as stack:
        screen = show(stack, config, listening=bool(args.input or not args.output))
        # Only rendering to a file: nothing to listen to.
        session = Session(config, stack, store=default_store(), input=args.input,
                          output=args.output, events=args.events, realtime=not args.fast,
                          listen=bool(args.input or not args.output), tell=tell,
                          verbose=args.verbose, journal=not args.no_journal,
                          watch=lambda assistant: screen.update(status_of(assistant)))
        session.assistant.start(args.routine, **options)
        session.serve(until_idle=True)
    failed = [e for e in session.log.events if e["event"] == "render_failed"]
    if failed:  # what was written is not the routine asked for
        raise Refused(f"'{failed[0]['routine']}' could not be spoken: {failed[0]['error']}",
                      EXIT_AUDIO)
    return 0


def format_time(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


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
    if choose_engine(config) != "embedding" and not set(targets) <= set(pause_phrases(config)):
        raise Refused(f"{config.where('listen', 'engine')}: with this engine, only your pause "
                      "phrases are learned from your voice (with listen.fast_stop on); set "
                      "listen.engine to embedding to teach it every phrase.", EXIT_CONFIG)
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


def cmd_learn(args: argparse.Namespace) -> int:
    if args.background:  # started by a running assistant: it keeps the processor it needs
        os.nice(19)
    config = load_config(args.config, quiet=True)
    if not learn_now(config, default_store()):
        tell(f"Nothing to learn: {config.where('listen', 'engine')} learns nothing, or "
             "listen.fast_stop is off.")
    return 0


def learn_now(config: Config, store: Path) -> bool:
    """Learn what the configured engine learns, if it is not learned yet: every phrase for
    the embedding engine, the pause phrases' ear for the two stages. False if nothing is."""
    if choose_engine(config) == "embedding":
        recogniser_for(config, store=store, tell=tell)
        return True
    phrases = pause_phrases(config)
    if not phrases:
        return False
    try:
        load_or_train(phrases, store, enrolled=load_takes(store, phrases),
                      progress=lambda m: tell(f"Learning how your pause words sound: {m}..."))
    except RecogniserError as exc:
        raise Refused(f"Learning how your pause words sound: {exc}", EXIT_AUDIO) from None
    tell("Learned how your pause words sound.")
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


def cmd_check(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    engine = choose_engine(config)
    if engine == "embedding":  # learning takes minutes: say whether it is still to come
        try:
            ready = learned(config.phrases, default_store())
        except RecogniserError as exc:
            raise Refused(f"{config.where('listen', 'engine')}: {exc}", EXIT_CONFIG) from None
        if not ready:
            engine += " (it learns these phrases once, when it next starts: a few minutes)"
    else:
        recogniser_for(config, store=default_store())
    warnings = phrase_warnings(config.words)
    if engine == "whisper":
        quick = set(known_phrases(config.phrases))
        to_learn = ear_to_learn(config, store=default_store())
        if to_learn:
            engine += " (it learns how your pause phrases sound when it next starts, in the " \
                "background: a minute or two)"
        if to_learn or not pause_phrases(config):  # with the ear, any pause phrase stops it
            warnings += [("pause", i, f"'{p}' is not in the quick first stage's dictionary, "
                          "so it stops the voice after the check, about a second later, "
                          "instead of at once" + (", until the pause phrases' ear is learned"
                                                  if to_learn else "") +
                          "; it is heard all the same.")
                         for i, p in enumerate(config.words.get("pause", ())) if p not in quick]
    for intent, i, advice in warnings:
        print(f"warning: {config.where('listen', 'words', intent, i)}: {advice}", file=sys.stderr)
    for warning in config_module.contact_warnings(config):
        print(f"warning: {warning}", file=sys.stderr)
    voice = voice_for(config)  # a voice that cannot speak is refused here, with its line
    phrases = sum(len(p) for p in config.words.values())
    print(f"{args.config} is ready: {phrases} phrases for {len(config.words)} intents, "
          f"heard by {engine}, spoken by {voice.describe()}.")
    return 0


def ask(question: str) -> str:
    """A line typed in answer; nothing when there is no more to read."""
    try:
        return input(question)
    except EOFError:
        return ""


def confirmed(question: str) -> bool:
    return ask(question).strip().lower().startswith("y")


def cmd_setup(args: argparse.Namespace) -> int:
    store = default_store()
    if args.first_time and not first_time(args.config, store):
        return 0  # asked once already, or the file is the person's own
    load_config(args.config, quiet=True)  # a file that cannot be read is refused first
    try:
        changed = run_setup(args.config, ask=ask, say=tell)
    except SetupError as exc:
        raise Refused(str(exc), EXIT_CONFIG) from None
    finally:
        if args.first_time:
            asked(store)  # whatever the answers: 'grounding setup' asks again at any time
    tell(f"Saved: {', '.join(changed)}." if changed else "Nothing changed.")
    code = cmd_check(args)
    config = load_config(args.config, quiet=True)
    if choose_engine(config) == "embedding":
        if confirmed("Record your pause phrase in your own voice now, so it hears you better? "
                     "[y/N] "):
            return cmd_enroll(argparse.Namespace(config=args.config, phrase=None, times=3,
                                                 takes=None, forget=False))
        tell("Later, 'grounding enroll' records your voice saying your pause phrase.")
    elif not args.first_time:  # the first start goes on to listen by itself
        tell("Start listening with scripts/start (or 'grounding run').")
    return code


def cmd_journal(args: argparse.Namespace) -> int:
    journal = Journal(journal_path(default_store()))
    if args.forget:
        if not confirmed("Delete every session in your journal? This cannot be undone. "
                         "[y/N] "):
            print("Kept.")
            return 0
        print("Deleted your journal." if journal.forget() else "There was no journal.")
        return 0
    try:
        rows = journal.sessions(args.since)
    except JournalError as exc:
        raise Refused(str(exc), EXIT_CONFIG) from None
    if args.plot:
        if not any(r["before"] is not None or r["after"] is not None for r in rows):
            raise Refused("There are no ratings to draw yet: turn on check-ins (checkins: "
                          "enabled: true) and answer them.", EXIT_CONFIG)
        try:
            plot(rows, args.plot)
        except OSError as exc:
            raise Refused(f"{args.plot}: cannot be written ({exc.strerror}).",
                          EXIT_CONFIG) from None
        print(f"Drawn: {args.plot}")
        return 0
    if args.export == "csv":
        sys.stdout.write(as_csv(rows))
        return 0
    print(table(rows[-20:]) if rows else "No sessions kept yet.")
    if len(rows) > 20:
        print(f"(the last 20 of {len(rows)}; --since or --export csv for more)")
    return 0


def cmd_service(args: argparse.Namespace) -> int:
    try:
        if args.action == "install":
            load_config(args.config)  # a service that would fail at once is not installed
            print(install_service(args.config))
        elif args.action == "status":
            print(service_status())
        else:
            print(remove_service())
    except ServiceError as exc:
        raise Refused(str(exc), EXIT_AUDIO) from None
    return 0


def cmd_devices(args: argparse.Namespace) -> int:  # noqa: ARG001
    print(list_devices())
    return 0


def stop_on_sigterm() -> None:
    """``SIGTERM`` (a service stopping, a shutdown) ends it as Ctrl-C does: files it writes
    are finished, nothing is left half-written."""
    def stop(signum: int, frame: object) -> None:
        raise Terminated

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)


def main(argv: list[str] | None = None) -> int:
    code = answer(argv)
    if streams_opened():
        # Everything it wrote is closed by now. A sound card's streams are left to the
        # system: PortAudio's own clean-up at exit would close streams again, among them
        # any given up as stuck, and a Ctrl-C must end it at once whatever they do.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def answer(argv: list[str] | None) -> int:
    """Run one command; its exit code."""
    args = parser().parse_args(argv)
    stop_on_sigterm()
    partly = forbid_network()  # before any engine, model or device is touched
    if partly:
        print(partly, file=sys.stderr)
    command = {"run": cmd_run, "say": cmd_say, "detect": cmd_detect, "enroll": cmd_enroll,
               "learn": cmd_learn,
               "check": cmd_check, "setup": cmd_setup, "journal": cmd_journal,
               "service": cmd_service, "devices": cmd_devices}[args.command]
    try:
        return command(args)
    except Refused as exc:
        print(str(exc), file=sys.stderr)
        return exc.code
    except (ConfigError, AudioFileError) as exc:  # the user's file to fix
        print(str(exc), file=sys.stderr)
        return EXIT_CONFIG
    except (AudioError, VoiceError, EspeakError, ModelError) as exc:
        print(str(exc), file=sys.stderr)
        if isinstance(exc, AudioError) and exc.detail and getattr(args, "verbose", False):
            print(f"(the sound system said: {exc.detail})", file=sys.stderr)
        return EXIT_AUDIO
    except BrokenPipeError:  # the reader went away (``| head``): nothing left to say
        sys.stdout = open(os.devnull, "w")
        return 0
    except KeyboardInterrupt as exc:
        print("Stopped.", file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130
