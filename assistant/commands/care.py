"""``grounding check``, ``setup``, ``service`` and ``devices``: setting it up and looking it over.
"""
from __future__ import annotations

import argparse
import sys

from .. import settings as config_module
from ..app import recogniser_for, voice_for
from ..hearing.base import RecogniserError
from ..hearing.pocketsphinx import known_phrases
from ..learning.learn import learned
from ..learning.lexicon import phrase_warnings
from ..recognisers import choose_engine, ear_phrases, ear_to_learn
from ..service import ServiceError
from ..service import install as install_service
from ..service import remove as remove_service
from ..service import status as service_status
from ..setup import SetupError, asked, first_time, run_setup
from ..sound.devices import list_devices
from ..store import default_store
from .common import (
    EXIT_AUDIO,
    EXIT_CONFIG,
    Refused,
    ask,
    confirmed,
    load_config,
    tell,
)
from .learn import cmd_enroll


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
            engine += " (it learns how your phrases sound when it next starts, in the " \
                "background: a few minutes)"
        if to_learn or not ear_phrases(config):  # with the ear, any pause phrase stops it
            warnings += [("pause", i, f"'{p}' is not in the quick first stage's dictionary, "
                          "so it stops the voice after the check, about a second later, "
                          "instead of at once" + (", until it has learned how your phrases sound"
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
