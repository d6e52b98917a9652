"""What each control does to the routine playing: pause, help, resume, quiet, skip,
repeat, slower, faster."""
from __future__ import annotations

from ..speaking.answers import ANSWERS
from ..speaking.pacer import clamp_pace
from ..speaking.routines import render
from .events import Pace, Seek
from .machine import Machine
from .state import Running, State

#: How much each "slower" / "faster" changes the pace or the silences.
STEP_FACTOR = 1.1
#: A "repeat" this close to a section's start goes back one more section.
REPEAT_GRACE = 1.0


class Controls(Machine):
    """The controls said while a routine plays, each a handler of its own."""

    def on_pause(self) -> None:
        self.interrupt("pause")
        self.start("pause")

    def on_help(self) -> None:
        self.interrupt("help")
        self.start("help")

    def on_what_can_i_say(self) -> None:
        self.interrupt("phrases")
        self.start("phrases")

    def on_resume(self) -> None:
        if self.interrupted is None:
            self.reply(ANSWERS["nothing_to_resume"])
            return
        running, section = self.interrupted
        self.interrupted = None
        marks = running.program.marks
        at = marks[section].start if marks else 0
        self.start(running.program.name, at=at, running=running, reason="resume")

    def on_quiet(self) -> None:
        self.interrupted = None
        self.stop(reason="quiet")
        self.running = None
        self.reply(ANSWERS["quiet"])

    def on_next(self) -> None:
        self.jump(+1)

    def on_skip(self) -> None:
        self.jump(+1)

    def on_repeat(self) -> None:
        if self.running is None or self.state is not State.PLAYING:
            self.reply(ANSWERS["nothing_playing"])
            return
        program = self.running.program
        pos = self.player.position
        section = program.section_at(pos)
        if pos - program.marks[section].start < REPEAT_GRACE * self.player.rate and section:
            section -= 1  # the section just began: "repeat" means the one before
        self.seek(program.marks[section].start, "repeat")

    def on_slower(self) -> None:
        self.change_pace(STEP_FACTOR)

    def on_faster(self) -> None:
        self.change_pace(1 / STEP_FACTOR)

    def jump(self, step: int) -> None:
        if self.running is None or self.state is not State.PLAYING:
            self.reply(ANSWERS["nothing_playing"])
            return
        program = self.running.program
        if program.name == "breathing":
            self.reply(ANSWERS["no_skip"])
            return
        section = program.section_at(self.player.position) + step
        if section >= len(program.marks):
            self.stop(reason="skip")
            self.running = None
            self.reply(ANSWERS["last_part"])
            return
        self.seek(program.marks[section].start, "skip")

    def seek(self, at: int, reason: str) -> None:
        assert self.running is not None, "only what is playing can move"
        self.cut_reply()
        self.player.play(self.running.program.sound, start=at, before=self.take_chime())
        self.log(self.now, Seek(routine=self.running.program.name, reason=reason,
                                to=round(at / self.player.rate, 2)))

    def change_pace(self, factor: float) -> None:
        """Slower or faster from the next section (or breath) on, within safe limits."""
        if self.running is None or self.state is not State.PLAYING:
            self.reply(ANSWERS["nothing_playing"])
            return
        old = self.running
        name = old.program.name
        if name not in ("breathing",) + self.sectioned:
            self.reply(ANSWERS["no_pace"])
            return
        options = dict(old.options)
        key = "pace" if name == "breathing" else "wait_scale"
        was = options.get(key, 1.0)
        wanted = was * factor
        if name == "breathing":
            phases = self.config.breathing.patterns[options.get("pattern")
                                                    or self.config.breathing.pattern]
            wanted = clamp_pace(phases, wanted)
        else:
            wanted = min(max(wanted, 0.5), 3.0)
        if abs(wanted - was) < 1e-6:
            self.reply(ANSWERS["slowest" if factor > 1 else "fastest"])
            return
        options[key] = wanted
        if name == "breathing":
            # Keep the number of breaths left the same whatever the pace.
            breaths = sum(m.label.startswith("breath") for m in old.program.marks)
            options.setdefault("cycles", breaths)
            options.pop("minutes", None)
        index = old.program.section_at(self.player.position) + 1
        if index >= len(old.program.marks):
            self.reply(ANSWERS["no_change_left"])  # in the last section: nothing to change
            return
        new = render(name, self.config, self.voice, now=self.clock(), **options)
        program = old.program.splice(index, new)
        self.running = Running(program, options)
        self.player.replace(program.sound)
        self.log(self.now, Pace(routine=name, **{key: round(wanted, 3)}))
        self.reply(ANSWERS["slower" if factor > 1 else "faster"])
