"""The command line: ``grounding run | say | detect | enroll | check | devices``.

Library code raises; only this module prints problems and picks exit codes:
0 fine, 2 the configuration or an argument is wrong, 3 no audio device or
speech engine, 130 stopped with Ctrl-C.
"""
from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Iterator

import numpy as np

from . import config as config_module
from .audio import (IN_RATE, AudioError, Player, Speaker, WavRecorder, check_microphone,
                    list_devices, mic_chunks, read_wav, to_int16, wav_chunks)
from .config import Config, ConfigError, normalise_phrase
from .core import Assistant, EventLog
from .enroll import TakeError, forget, record, save, trim
from .recognizers import (MODELS, RecogniserError, UnknownWords, choose_engine, detect_samples,
                          make_recogniser)
from .routines import ROUTINES, render
from .voice import Voice, VoiceError

DEFAULT_CONFIG = Path("config.yaml")
EXIT_CONFIG, EXIT_AUDIO = 2, 3


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

    say = with_config("say", "play one routine now, still listening for the pause word")
    say.add_argument("routine", choices=ROUTINES)
    say.add_argument("--output", type=Path, help="write it to this WAV instead of playing it")
    say.add_argument("--input", type=Path, help="listen to this WAV instead of the mic")
    say.add_argument("--events", type=Path, help="write one JSON event per line to this file")
    say.add_argument("--fast", action="store_true", help="with --input: as fast as possible")
    say.add_argument("--dry-run", action="store_true",
                     help="print the sections and their start times; play nothing")
    say.add_argument("--pattern", help="breathing pattern, e.g. box, 4-7-8, resonance")
    say.add_argument("--minutes", type=float, help="breathing: how long")
    say.add_argument("--cycles", type=int, help="breathing: how many breaths")

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

    with_config("check", "check the configuration and say what to fix")
    sub.add_parser("devices", help="list the audio devices")
    return p


def load_config(path: Path, *, quiet: bool = False) -> Config:
    try:
        config, warnings = config_module.load(path)
    except ConfigError as exc:
        raise Refused(str(exc), EXIT_CONFIG) from None
    if not quiet:
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
    return config


def recogniser_for(config: Config):
    """The configured recogniser; a phrase it cannot pronounce is named with its line."""
    try:
        return make_recogniser(config)
    except UnknownWords as exc:
        problems = []
        for intent, phrases in config.words.items():
            for i, phrase in enumerate(phrases):
                unknown = [w for w in phrase.split() if w in exc.words]
                if unknown:
                    problems.append(
                        f"{config.where('listen', 'words', intent, i)}: '{phrase}' uses "
                        f"{', '.join(repr(w) for w in unknown)}, which the {exc.engine} "
                        "recogniser cannot pronounce; choose another word.")
        raise Refused("\n".join(problems), EXIT_CONFIG) from None
    except RecogniserError as exc:
        raise Refused(f"{config.where('listen', 'model')}: {exc}", EXIT_CONFIG) from None


def open_log(path: Path | None, stack: ExitStack) -> EventLog:
    stream = stack.enter_context(open(path, "w", encoding="utf-8")) if path else None
    return EventLog(stream, echo=path is None)


def input_chunks(args, config: Config, chunk: int) -> Iterator[np.ndarray]:
    if args.input:
        return wav_chunks(args.input, chunk=chunk, realtime=not getattr(args, "fast", False))
    return mic_chunks(chunk=chunk, device=config.input_device)


def serve(assistant: Assistant, chunks: Iterator[np.ndarray], *, chunk: int,
          recorder: WavRecorder | None, until_idle: bool) -> None:
    """The main loop: output for each chunk's span is rendered before the chunk is heard,
    as on a real device, so a stop takes effect at the end of the chunk that heard it."""

    def step(samples: np.ndarray) -> None:
        if recorder:
            recorder.advance_to((assistant.samples + len(samples)) / IN_RATE)
        assistant.feed(samples)

    for samples in chunks:
        step(samples)
    silence = np.zeros(chunk, dtype=np.int16)
    while until_idle and assistant.busy:
        step(silence)


def build(args, config: Config, stack: ExitStack):
    recogniser = recogniser_for(config)
    voice = Voice(rate=config.rate, volume=config.volume, voice=config.voice)
    player = Player()
    log = open_log(args.events, stack)
    assistant = Assistant(config, recogniser=recogniser, voice=voice, player=player, log=log)
    return assistant, player


def outputs(args, config: Config, player: Player, stack: ExitStack) -> WavRecorder | None:
    if args.output:
        recorder = WavRecorder(player)
        stack.callback(recorder.save, args.output)
        return recorder
    speaker = Speaker(player, device=config.output_device)
    stack.callback(speaker.close)
    return None


def cmd_run(args) -> int:
    config = load_config(args.config)
    chunk = IN_RATE * args.chunk_ms // 1000
    if not args.input:
        check_microphone(config.input_device)
    with ExitStack() as stack:
        assistant, player = build(args, config, stack)
        assistant.prepare()
        chunks = input_chunks(args, config, chunk)
        recorder = outputs(args, config, player, stack)
        if not args.input:
            print(f"Listening. Say {say_list(config)}. Ctrl-C ends.", file=sys.stderr)
        serve(assistant, chunks, chunk=chunk, recorder=recorder, until_idle=bool(args.input))
    return 0


def say_list(config: Config) -> str:
    return ", ".join(f"'{ps[0]}' ({intent.replace('_', ' ')})" for intent, ps in
                     config.words.items() if ps)


def cmd_say(args) -> int:
    config = load_config(args.config)
    if args.pattern and args.pattern not in config.breathing.patterns:
        raise Refused(f"--pattern {args.pattern} is not a breathing pattern; choose one of "
                      f"{', '.join(config.breathing.patterns)}.", EXIT_CONFIG)
    options = {k: v for k in ("pattern", "minutes", "cycles")
               if (v := getattr(args, k)) is not None}
    if options and args.routine != "breathing":
        raise Refused("--pattern, --minutes and --cycles only apply to breathing.", EXIT_CONFIG)
    if args.dry_run:
        voice = Voice(rate=config.rate, volume=config.volume, voice=config.voice)
        program = render(args.routine, config, voice, **options)
        print(f"{args.routine}: {format_time(program.seconds)} in all")
        for start, label, text in program.timeline():
            print(f"  {format_time(start)}  {label:<12} {text}")
        return 0
    chunk = IN_RATE * 20 // 1000
    if not args.input and not args.output:
        check_microphone(config.input_device)
    with ExitStack() as stack:
        assistant, player = build(args, config, stack)
        recorder = outputs(args, config, player, stack)
        if args.input or not args.output:
            chunks = input_chunks(args, config, chunk)
        else:  # only rendering to a file: nothing to listen to
            chunks = iter(())
        assistant.start(args.routine, **options)
        serve(assistant, chunks, chunk=chunk, recorder=recorder, until_idle=True)
    return 0


def format_time(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def cmd_detect(args) -> int:
    config = load_config(args.config, quiet=True)
    chunk = max(1, IN_RATE * args.chunk_ms // 1000)
    intents = {p: intent for intent, ps in config.words.items() for p in ps}
    recogniser = None
    for path in args.wavs:
        samples = to_int16(read_wav(path))
        recogniser = recogniser_for(config) if recogniser is None else recogniser.fresh()
        found = detect_samples(recogniser, samples, chunk=chunk)
        print(json.dumps({"file": str(path), "detections": [
            {"intent": intents[d.phrase], "phrase": d.phrase, "start": round(d.start, 3),
             "end": round(d.end, 3), "time": round(d.time, 3)} for d in found]}))
    return 0


def cmd_enroll(args) -> int:
    config = load_config(args.config)
    phrase = normalise_phrase(args.phrase or "")
    if phrase and phrase not in config.phrases:
        raise Refused(f"'{args.phrase}' is not one of the phrases in {args.config} "
                      "(listen.words); enroll one of those.", EXIT_CONFIG)
    targets = [phrase] if phrase else list(config.words.get("pause", ()))
    if args.forget:
        gone = forget(MODELS, tuple(targets) if args.phrase else None)
        print("Deleted your recordings of " + ", ".join(f"'{g}'" for g in gone) +
              ", and what was learned from them."
              if gone else "There were no recordings of your voice to delete.")
        return 0
    if choose_engine(config) != "embedding":
        raise Refused(f"{config.where('listen', 'engine')}: only the embedding engine learns "
                      "from your voice; set listen.engine to embedding.", EXIT_CONFIG)
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
        save(MODELS, targets[0], takes)
    else:
        chunks = mic_chunks(chunk=IN_RATE // 50, device=config.input_device)
        for phrase in targets:
            save(MODELS, phrase, record_takes(phrase, args.times, chunks))
    print("Learning your voice...", file=sys.stderr)
    recogniser_for(config)  # learn now, so the next start is instant
    print(f"Done: your recordings of {', '.join(repr(t) for t in targets)} are kept only on "
          f"this device ({MODELS / 'enrolled'}); 'grounding enroll --forget' deletes them.")
    return 0


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


def cmd_check(args) -> int:
    config = load_config(args.config)
    engine = choose_engine(config)
    if engine == "embedding":  # learning takes minutes: say whether it is still to come
        from .training import learned

        try:
            ready = learned(config.phrases, MODELS)
        except RecogniserError as exc:
            raise Refused(f"{config.where('listen', 'engine')}: {exc}", EXIT_CONFIG) from None
        if not ready:
            engine += " (it learns these phrases once, when it next starts: a few minutes)"
    else:
        recogniser_for(config)
    from .training import phrase_warnings

    for intent, i, advice in phrase_warnings(config.words):
        print(f"warning: {config.where('listen', 'words', intent, i)}: {advice}", file=sys.stderr)
    phrases = sum(len(p) for p in config.words.values())
    print(f"{args.config} is ready: {phrases} phrases for {len(config.words)} intents, "
          f"heard by {engine}.")
    return 0


def cmd_devices(args) -> int:  # noqa: ARG001
    print(list_devices())
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    command = {"run": cmd_run, "say": cmd_say, "detect": cmd_detect, "enroll": cmd_enroll,
               "check": cmd_check, "devices": cmd_devices}[args.command]
    try:
        return command(args)
    except Refused as exc:
        print(str(exc), file=sys.stderr)
        return exc.code
    except (AudioError, VoiceError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_AUDIO
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
