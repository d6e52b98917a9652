"""The command line: ``grounding run | say | detect | enroll | learn | record | check |
setup | journal | service | devices``, each done in ``commands/``.

Library code raises; this module turns what was raised into one message and an exit code:
0 fine, 2 the configuration, an argument or a file given is wrong, 3 no audio device or
speech engine, 130 stopped with Ctrl-C, 143 with SIGTERM.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import stopping
from .commands.care import cmd_check, cmd_devices, cmd_service, cmd_setup
from .commands.common import (
    DEFAULT_CONFIG,
    EXIT_AUDIO,
    EXIT_CONFIG,
    Refused,
    date,
)
from .commands.journal import cmd_journal
from .commands.learn import cmd_enroll, cmd_learn
from .commands.listen import cmd_detect, cmd_run
from .commands.record import cmd_record
from .commands.say import cmd_say
from .espeak import EspeakError
from .hearing.base import ModelError
from .offline import forbid_network
from .settings import ConfigError
from .sound import AudioError, AudioFileError
from .sound.devices import streams_opened
from .speaking.voice import VoiceError


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

    record = with_config("record", "record a routine's steps in your own voice (or a safe "
                         "person's), played instead of the synthetic voice; kept only on "
                         "this device")
    record.add_argument("routine", nargs="?", help="pause, ground, body_scan, or one of your "
                        "own routines")
    record.add_argument("--from", dest="takes", nargs="+", type=Path, metavar="WAV",
                        help="use these recordings, one for each step in order, instead of "
                        "the microphone")
    record.add_argument("--forget", action="store_true", help="delete every recorded step")

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
    stopping.on_signals()
    partly = forbid_network()  # before any engine, model or device is touched
    if partly:
        print(partly, file=sys.stderr)
    command = {"run": cmd_run, "say": cmd_say, "detect": cmd_detect, "enroll": cmd_enroll,
               "learn": cmd_learn, "record": cmd_record,
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
        return 143 if isinstance(exc, stopping.Terminated) else 130
