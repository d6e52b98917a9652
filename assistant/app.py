"""The assistant put together from the configuration, and its loop.

Sound comes in (a microphone or a file), is heard (the recogniser), is
decided on (``deciding.assistant.Assistant``) and is spoken out (a speaker or a file).
Problems are raised as exceptions for ``cli.py`` to report; what the user
should know while it runs goes to the ``tell`` callback it is given.
"""
from __future__ import annotations

import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from . import stopping
from .build import build_assistant
from .deciding.assistant import Assistant
from .deciding.events import Device, Learned, Learning, Listening, Reload
from .deciding.log import EventLog
from .health import Health
from .hearing.base import Deaf, ModelError, Recogniser, RecogniserError, UnknownWords
from .journal import Journal, Keeper, journal_path
from .learning.background import Learner
from .recognisers import choose_engine, ear_to_learn, make_recogniser
from .settings import Config, ConfigError
from .settings import load as load_config
from .sound import IN_RATE, AudioError
from .sound.devices import Microphone, Speaker, check_microphone
from .sound.files import wav_chunks
from .sound.player import Player, WavRecorder
from .speaking.voice import DISCREET, Voice, VoiceError, configured_voice

Tell = Callable[[str], None]
#: Samples the microphone hands over at a time: 10 ms, so a phrase waits at most that long
#: to be heard (20 ms chunks added 10 ms to a live stop on average).
MIC_CHUNK = IN_RATE // 100
#: Live, every routine is rendered again this often, as it will be said twice as far ahead.
READY_EVERY = 30.0


def recogniser_for(config: Config, *, store: Path, tell: Tell = lambda message: None
                   ) -> Recogniser:
    """The configured recogniser; a phrase it cannot pronounce is named with its line."""
    try:
        return make_recogniser(config, store=store,
                               progress=lambda m: tell(f"Learning your phrases (once): {m}..."))
    except ModelError:
        raise  # a missing or changed model is not the configuration's fault
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
        raise ConfigError(problems) from None
    except RecogniserError as exc:
        raise ConfigError([f"{config.where('listen', 'model')}: {exc}"]) from None


#: Said aloud, once, when a headless assistant starts with no microphone to hear.
NO_MICROPHONE = ("I cannot hear a microphone yet. I will start listening as soon as one is "
                 "connected.")


def wait_for_microphone(config: Config, *, tell: Tell, say: Tell,
                        check: Callable[[str | int | None], None] = check_microphone,
                        every: float = 2.0) -> None:
    """With no one at a terminal (a service), a missing microphone is not an error to exit
    on: it is said once, on screen and aloud, and looked for again every ``every`` seconds."""
    missing = False
    while True:
        stopping.check()
        try:
            check(config.input_device)
        except AudioError as exc:
            if not missing:
                missing = True
                tell(f"{exc} Waiting for one.")
                if not config.discreet:
                    say(NO_MICROPHONE)
            time.sleep(every)
            continue
        if missing:
            tell("A microphone is there now.")
        return


def say_once(config: Config, text: str) -> None:
    """``text`` said on the configured speaker, before the assistant itself has started
    (nothing is said if there is no speaker either)."""
    player = Player(gain=DISCREET if config.discreet else 1.0)
    try:
        sound = voice_for(config).say(text)
        speaker = Speaker(player, device=config.output_device)
    except Exception:  # noqa: BLE001 - no voice or no speaker: the words are on screen
        return
    player.play(sound)
    time.sleep(len(sound) / player.rate + 0.3)
    speaker.close()


def voice_for(config: Config, *, store: Path | None = None) -> Voice:
    """The configured voice, once it has said a word: a voice that cannot speak is the
    configuration's to fix (``ConfigError``, naming the line)."""
    voice = configured_voice(config, store=store)
    try:
        voice.say("Okay.")
    except VoiceError as exc:
        if config.voice:
            raise ConfigError([f"{config.where('voice', 'voice')}: {exc} Leave it empty for the "
                               "default voice, or choose one that `espeak-ng --voices` "
                               "lists."]) from None
        raise
    return voice


def serve(assistant: Assistant, chunks: Iterator[np.ndarray], *, chunk: int,
          recorder: WavRecorder | None, until_idle: bool, listening: bool = True,
          tick: Callable[[float], None] = lambda seconds: None) -> None:
    """The main loop: output for each chunk's span is rendered before the chunk is heard,
    as on a real device, so a stop takes effect at the end of the chunk that heard it.
    With ``until_idle`` it goes on, hearing silence, until nothing plays; when it is not
    ``listening`` at all (only rendering to a file), time just passes. ``tick`` is told of
    each chunk's seconds once it is heard (to look after the devices)."""

    def step(samples: np.ndarray) -> None:
        stopping.check()  # a stop whose exception was lost on its way (``stopping``)
        if recorder:
            recorder.advance_to((assistant.samples + len(samples)) / IN_RATE)
        if listening:
            assistant.feed(samples)
        else:
            assistant.wait(len(samples))
        tick(len(samples) / IN_RATE)

    for samples in chunks:
        step(samples)
    silence = np.zeros(chunk, dtype=np.int16)
    while until_idle and assistant.busy:
        step(silence)


class Session:
    """One run of the assistant: its parts, its input and its output, closed together.

    ``input`` is a WAV file to listen to instead of the microphone (``realtime``: paced like
    one); ``output`` a WAV file to write instead of playing; ``listen`` False when there is
    nothing to listen to (only rendering to a file); ``verbose`` echoes each event to
    stderr; ``watch`` is shown the assistant after each chunk; ``headless`` (a service, no
    terminal) waits for a missing microphone instead of refusing to start; ``journal`` False
    keeps no journal (nor does a session that only writes a file, or a configuration that
    says ``journal: false``)."""

    def __init__(self, config: Config, stack: ExitStack, *, store: Path,
                 input: Path | None = None, output: Path | None = None,
                 events: Path | None = None, realtime: bool = True, listen: bool = True,
                 chunk_ms: int = 20, tell: Tell = lambda message: None,
                 reload: threading.Event | None = None, verbose: bool = False,
                 watch: Callable[[Assistant], None] = lambda assistant: None,
                 journal: bool = True, headless: bool = False):
        self.chunk = max(1, IN_RATE * chunk_ms // 1000)
        if listen and input is None and headless:
            wait_for_microphone(config, tell=tell, say=lambda text: say_once(config, text))
        elif listen and input is None:
            check_microphone(config.input_device)  # refuse before any slow start-up work
        stream = stack.enter_context(open(events, "w", encoding="utf-8")) if events else None
        log = EventLog(stream, echo=verbose)
        self.listening = listen or input is not None
        # Only rendering to a file: no engine (nor its models) is loaded for nothing.
        recogniser = recogniser_for(config, store=store, tell=tell) if self.listening \
            else Deaf(config.phrases)
        keep = journal and config.journal and self.listening
        self.assistant = build_assistant(
            config, recogniser=recogniser, voice=voice_for(config, store=store), log=log,
            journal=Keeper(Journal(journal_path(store)) if keep else None, tell))
        self.player = self.assistant.player  # quieter in discreet mode
        stack.callback(lambda: self.assistant.voice.close())  # the Piper worker ends
        self.device = config.input_device if listen and input is None else False
        self.chunks: Iterator[np.ndarray] = iter(())
        if input is not None:  # read (or refused) now, before any output is written
            self.chunks = wav_chunks(input, chunk=self.chunk, realtime=realtime)
        self.recorder: WavRecorder | None = None
        self.speaker: Speaker | None = None
        if output is not None:
            self.recorder = WavRecorder(self.player, output)
            stack.callback(self.recorder.save)
        else:
            self.speaker = Speaker(self.player, device=config.output_device, tell=self.notice)
            stack.callback(self.speaker.close)
        self.stack, self.log, self.tell = stack, log, tell
        stack.callback(self.assistant.finish)  # first of all at the end: the journal's last
        self.microphone: Microphone | None = None
        self.shown = ""  # the words last shown while the speaker was away
        self.store = store
        self.reload_asked = reload or threading.Event()  # set by SIGHUP; acted on in the loop
        self.watch = watch  # shown what it does, each chunk (the screen)
        self.learner: Learner | None = None
        self.health: Health | None = None  # live: how it keeps up, in the log
        self.finished = threading.Event()  # set at the end: background work stops
        stack.callback(self.finished.set)

    def keep_voice_ready(self) -> None:
        """Live: every routine rendered again, in the background, as it will be said a minute
        from now, so that one with the date or the time in it never waits for its rendering
        (with the natural voice a new sentence takes half a second; most are in the cache)."""
        def keep() -> None:
            while not self.finished.wait(READY_EVERY):
                try:
                    self.assistant.prepare(ahead=READY_EVERY * 2)
                except Exception:  # noqa: BLE001 - a routine is rendered when asked for
                    pass
        threading.Thread(target=keep, name="voice-ahead", daemon=True).start()

    def learn_in_background(self) -> None:
        """Live, the first time: learn the ear while listening as before."""
        config = self.assistant.config
        if self.learner is not None:
            self.learner.stop()  # phrases that changed since
            self.learner = None
        phrases = ear_to_learn(config, store=self.store) if self.microphone is not None else ()
        if not phrases:
            return
        self.learner = Learner(config, self.store)
        self.stack.callback(self.learner.stop)
        self.log(self.assistant.now, Learning(phrases=list(phrases)))
        self.tell("Learning how your words sound, once, in the background (a few minutes). "
                  f"Until then {self.meanwhile()}.")

    def meanwhile(self) -> str:
        """How it hears while the ear is not learned."""
        if getattr(self.assistant.recogniser, "ear", None) is not None:
            return "it listens with what it learned for your earlier words"
        return "they are heard as before, and the voice stops for your pause words a moment later"

    def take_ear(self) -> None:
        """The ear, once it has been learned, joins the recogniser."""
        learner = self.learner
        if learner is None or not learner.ready.is_set():
            return
        self.learner = None
        recogniser = self.assistant.recogniser
        if learner.ear is None or not hasattr(recogniser, "hear_with"):
            self.log(self.assistant.now, Learned(ready=False, why=learner.failed))
            self.tell(f"Learning how your words sound did not finish ({learner.failed}); "
                      f"{self.meanwhile()}.")
            return
        recogniser.hear_with(learner.ear)
        self.log(self.assistant.now, Learned(ready=True))
        self.tell("Learned how your words sound: they are heard better in a noisy room, and "
                  "the voice now stops as soon as it hears a pause word.")

    def notice(self, message: str) -> None:
        """Something the user must know about the devices: on screen, in the event log, and
        said aloud unless a routine is speaking (it is not cut off for this)."""
        self.tell(message)
        self.log(self.assistant.now, Device(message=message))
        if not self.assistant.config.discreet:
            self.assistant.announce(message)

    def reload(self) -> None:
        """Read the configuration file again (``SIGHUP``): the new one is used from the next
        routine on; one that does not pass the checks is reported and the old one kept."""
        old, old_recogniser = self.assistant.config, self.assistant.recogniser
        try:
            config, _ = load_config(old.path)
        except ConfigError as exc:
            self.tell(f"The changed configuration was not used; the one before stays. "
                      f"{exc.problems[0]}")
            self.log(self.assistant.now, Reload(used=False))
            return
        hearing = (config.words, config.engine, config.model, config.sensitivity,
                   config.phrase_sensitivity)
        if hearing != (old.words, old.engine, old.model, old.sensitivity,
                       old.phrase_sensitivity):
            try:
                recogniser = recogniser_for(config, store=self.store, tell=self.tell)
            except (ConfigError, RecogniserError) as exc:
                self.tell(f"The changed phrases could not be used; the ones before stay. {exc}")
                self.log(self.assistant.now, Reload(used=False))
                return
            if self.microphone is not None:
                recogniser.go_live()
            self.assistant.recogniser.close()
        else:
            recogniser = self.assistant.recogniser
        voice = self.assistant.voice
        if (config.speech, config.rate, config.volume, config.voice) != (
                old.speech, old.rate, old.volume, old.voice):
            voice = voice_for(config, store=self.store)
            self.assistant.voice.close()
        self.assistant.reconfigure(config, recogniser=recogniser, voice=voice)
        self.player.gain = DISCREET if config.discreet else 1.0
        self.log(self.assistant.now, Reload(used=True))
        self.tell("The changed configuration is in use.")
        if recogniser is not old_recogniser:
            self.learn_in_background()

    def upkeep(self, seconds: float) -> None:
        """Each chunk: a reload asked for, and the speaker watched (and stood in for while
        away, its words shown)."""
        if self.reload_asked.is_set():
            self.reload_asked.clear()
            self.reload()
        self.take_ear()
        if self.health is not None:
            self.health.note()
        self.watch(self.assistant)
        if self.speaker is None:
            return
        self.speaker.keep(seconds)
        if self.speaker.away and self.assistant.saying != self.shown:
            self.shown = self.assistant.saying
            if self.shown:
                self.tell(self.shown)

    def open_microphone(self) -> None:
        """Start hearing the microphone (if this session listens to it); until now it was
        only checked, so nothing queued up while the routines were being prepared."""
        if self.device is not False:
            self.microphone = Microphone(chunk=MIC_CHUNK, device=self.device, tell=self.notice)
            self.chunks = iter(self.microphone)
            microphone = self.microphone
            self.assistant.queued = lambda: microphone.waiting
            self.device = False
            self.assistant.recogniser.go_live()
            self.stack.callback(lambda: self.assistant.recogniser.close())
            self.health = Health(self.assistant, self.log, self.microphone, self.speaker)
            self.stack.callback(self.health.report)

    def serve(self, *, until_idle: bool) -> None:
        """Listen and answer; with ``until_idle``, go on until nothing is playing."""
        self.open_microphone()
        if self.listening:
            self.log(self.assistant.now, Listening(engine=choose_engine(self.assistant.config)))
        serve(self.assistant, self.chunks, chunk=self.chunk, recorder=self.recorder,
              until_idle=until_idle, listening=self.listening, tick=self.upkeep)
