"""``grounding say``: a routine spoken, into a file or out loud, without listening.
"""
from __future__ import annotations

import argparse
from contextlib import ExitStack

from .. import settings as config_module
from ..app import Session, voice_for
from ..screen import status_of
from ..speaking.routines import render
from ..store import default_store
from .common import (
    EXIT_AUDIO,
    EXIT_CONFIG,
    Refused,
    format_time,
    load_config,
    show,
    tell,
)


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
