"""Taking the assistant's own voice out of the microphone: real speech through a simulated room."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from assistant import espeak
from assistant import settings as config_module
from assistant.deciding.own_voice import ECHO_ONLY
from assistant.hearing.base import detect_samples
from assistant.recognisers import make_recogniser
from assistant.sound import IN_RATE, OUT_RATE
from assistant.sound.echo import LATE, EchoCanceller
from assistant.sound.files import resample, to_int16
from assistant.sound.reference import GUARD, SLACK, Reference
from assistant.speaking.voice import Voice, trim

from .conftest import QUICK, ROOT, flite, silence
from .support.analysis import Room, loopback, speech_end
from .support.claims import Claims

SCRIPT = ("Notice your shoulders. If they want to drop a little, let them. Feel where your body "
          "meets the chair, the bed or the floor. Let it hold you. Let one breath out go "
          "slowly, a little longer than the breath in. Take all the time you need.")


@pytest.fixture(scope="module")
def speaker():
    """Twenty seconds of the assistant's voice at 16 kHz, in 20 ms chunks' worth: espeak-ng at
    150 words a minute, in one piece (no breath between sentences, where the echo would
    stop)."""
    sound = resample(trim(espeak.speak(SCRIPT, words_per_minute=150)), OUT_RATE, IN_RATE)
    sound = np.concatenate([sound, sound])
    return sound[:len(sound) // 320 * 320]


def through(room: Room, played: np.ndarray) -> np.ndarray:
    return np.concatenate([room.hear(played[i:i + 320]) for i in range(0, len(played), 320)])


def cancel(mic: np.ndarray, played: np.ndarray, chunk: int = 320,
           canceller: EchoCanceller | None = None) -> np.ndarray:
    """``mic`` (float) with the echo of ``played`` taken out, as float, in step with ``mic``
    again (the canceller hands it on ``LATE`` samples later: the last of them are held)."""
    canceller = canceller or EchoCanceller()
    mic, played = to_int16(mic), to_int16(played)
    return np.concatenate([canceller.process(mic[i:i + chunk], played[i:i + chunk])
                           for i in range(0, len(mic), chunk)])[LATE:] / 32768.0


def db(x: np.ndarray) -> float:
    return 10 * np.log10(np.mean(x.astype(np.float64) ** 2) + 1e-12)


def test_with_the_speaker_silent_the_microphone_passes_untouched(tmp_path):
    mic = np.concatenate([silence(0.3), flite("stop everything", "rms"), silence(0.3)])
    mic = mic[:len(mic) // 160 * 160]
    assert np.array_equal(cancel(mic, np.zeros_like(mic)), to_int16(mic)[:-LATE] / 32768.0)


def test_with_headphones_the_users_words_pass_untouched_while_it_speaks(speaker, tmp_path):
    # No echo: the microphone hears only the room's hiss and the user, who talks over the
    # assistant four times. Nothing the speaker played explains that, so nothing is taken out.
    mic = np.random.default_rng(1).normal(0, 0.002, len(speaker))
    for k, (words, voice) in enumerate([("continue please", "kal16"), ("one more time", "slt"),
                                        ("stop everything", "rms"), ("skip this part", "awb")]):
        said = flite(words, voice) * 0.5
        at = (3 + 6 * k) * IN_RATE
        mic[at:at + len(said)] += said
    assert np.array_equal(cancel(mic, speaker), to_int16(mic)[:-LATE] / 32768.0)


def test_the_echo_is_taken_out_within_seconds(speaker):
    """SpeexDSP's canceller (measured in a quiet room: 14 dB after 3 s, 25 dB after 7 s, 35
    dB after 20 s; the adaptive filter it replaced, 9, 18 and 33 dB), here in the tests'
    noisier room. (Taking the microphone ``LATE`` later costs it a second or so at the start
    here: 14.9 dB in the fifth second, 16.8 before; live it is what lets it work at all.)"""
    mic = through(Room(gain=0.5, noise=2e-4), speaker)
    out = cancel(mic, speaker)
    second = [db(mic[s * IN_RATE:(s + 1) * IN_RATE]) - db(out[s * IN_RATE:(s + 1) * IN_RATE])
              for s in range(len(out) // IN_RATE)]
    assert min(second[5:]) >= 15.0 and np.median(second[10:]) >= 20.0, second


def test_blocks_not_chunks_decide_the_result(speaker):
    mic = through(Room(gain=0.25), speaker)[:5 * IN_RATE]
    assert np.array_equal(cancel(mic, speaker[:len(mic)], 320),
                          cancel(mic, speaker[:len(mic)], 97)[:len(mic) // 160 * 160])


def test_the_users_voice_over_the_assistant_is_kept_and_heard(speaker, tmp_path):
    user = flite("stop everything", "slt") * 0.5
    at = len(speaker) - 4 * IN_RATE
    echo = through(Room(gain=0.5), speaker)
    mic = echo.copy()
    mic[at:at + len(user)] += user
    out = cancel(mic, speaker)
    # The words were not cancelled: what the user added to the output (against the same
    # run without them) has their level, and what is left of the echo is far below them.
    alone = cancel(echo, speaker)
    span = slice(at, at + len(user))
    assert abs(db(out[span] - alone[span]) - db(user)) < 1.0
    assert db(user) - db(alone[span]) >= 12.0
    config = config_module.load(ROOT / "config.yaml")[0]
    recogniser = make_recogniser(replace(config, engine="pocketsphinx"))
    heard = [d.phrase for d in detect_samples(recogniser.fresh(), to_int16(out))]
    assert heard == ["stop everything"]
    # Without taking the echo out, the same words are lost under it.
    assert [d.phrase for d in detect_samples(recogniser.fresh(), to_int16(mic))] == []


def test_the_assistant_hears_the_microphone_untouched_while_it_is_silent(tmp_path):
    from assistant.build import build_assistant

    config = config_module.load(ROOT / "config.yaml")[0]
    recogniser = make_recogniser(replace(config, engine="pocketsphinx"))
    heard, feed = [], recogniser.feed
    recogniser.feed = lambda chunk: heard.append(chunk.copy()) or feed(chunk)
    assistant = build_assistant(config, recogniser=recogniser, voice=Voice())
    assert assistant.canceller is not None  # on for PocketSphinx
    mic = to_int16(np.concatenate([silence(0.2), flite("ground me now", "awb")]))
    mic = mic[:len(mic) // 320 * 320]
    for i in range(0, len(mic), 320):
        assistant.feed(mic[i:i + 320])
    heard = np.concatenate(heard)  # as it came, ``LATE`` samples later
    assert np.array_equal(heard, np.concatenate([np.zeros(LATE, np.int16), mic])[:len(heard)])


def clicks_through_an_hour(speaker_ppm: float) -> list[int]:
    """An hour of a speaker (256-sample callbacks at 22.05 kHz, its clock ``speaker_ppm``
    fast) and a microphone (20 ms chunks at 16 kHz) as the assistant sees them, with a
    click played at the start of every tenth minute. For each click: how many microphone
    samples after it was played the reference hands it over (its lead over the echo)."""
    reference = Reference(OUT_RATE)
    rate = OUT_RATE * (1 + speaker_ppm * 1e-6)
    chunk, played, handed = 320, 0, []
    clicks = [int(rate * 60 * m) + 7 for m in range(0, 61, 10)]
    for n in range(3600 * IN_RATE // chunk + 50):
        due = int((n + 1) * chunk / IN_RATE * rate)  # the speaker's callbacks so far
        while played + 256 <= due:
            block = np.zeros(256, np.float32)
            for c in clicks:
                if played <= c < played + 256:
                    block[c - played] = 1.0
            reference.add(played, block)
            played += 256
        got = reference.take(chunk)
        handed += [n * chunk + int(i) for i in np.flatnonzero(got > 0.25)]
    # Each click's first handing over (a step back to follow the clocks may repeat one).
    lags = []
    for c in clicks:
        played_at = c / rate * IN_RATE
        lags.append(int(round(min((h for h in handed if h >= played_at),
                                  key=lambda h: h - played_at) - played_at)))
    return lags


def test_the_echo_reference_keeps_its_place_for_an_hour():
    """Filtered and counted, not rounded block by block (which gained 21 samples a second):
    after an hour the reference hands a click over exactly as long after it was played as
    at the start."""
    lags = clicks_through_an_hour(0.0)
    assert 0 < lags[0] <= SLACK + 20  # at first it trails what was played by the slack...
    # ...then, from its first look at the lead, by enough never to hand out a sample
    # before it was played (``GUARD``), and from there on exactly as much.
    assert max(lags[1:]) - min(lags[1:]) <= 1, lags
    assert lags[1] <= SLACK + GUARD + 320, lags


def test_the_echo_reference_follows_a_speaker_whose_clock_runs_fast():
    """Two sound cards: the speaker's clock 100 parts per million fast gains 0.36 s an hour
    on the microphone's (a slow one loses as much). The reference measures how fast it runs
    and reads what was played that much faster: once it has (by the first ten minutes) the
    echo keeps its place against it within a few samples, never jumping (the canceller would
    have to learn the path again)."""
    for ppm in (100.0, -100.0):
        lags = clicks_through_an_hour(ppm)[1:]
        assert max(abs(lag - lags[0]) for lag in lags) <= 40, (ppm, lags)


def test_the_echo_reference_measures_a_slight_drift_within_half_a_minute():
    """A speaker 20 parts per million fast or slow (a USB microphone beside a laptop's
    speaker) moves the echo a sample every three seconds: the canceller keeps losing the
    path until the reference follows (docs/benchmarks.md: 3-13 dB taken out then, 22-26 dB
    once it follows). Counted from the samples the speaker took, in windows of time, not of
    chunks, it is followed within half a minute, whatever size the chunks are."""
    for chunk in (160, 320):
        for ppm in (20.0, -20.0):
            reference = Reference(OUT_RATE)
            rate, played = OUT_RATE * (1 + ppm * 1e-6), 0
            for n in range(30 * IN_RATE // chunk):
                due = int((n + 1) * chunk / IN_RATE * rate)  # the speaker's callbacks so far
                while played + 256 <= due:
                    reference.add(played, np.zeros(256, np.float32))
                    played += 256
                reference.take(chunk)
            assert abs(reference.drift - ppm) < 10.0, (chunk, ppm, reference.drift)


def test_after_the_reference_moves_the_path_is_learned_again_within_seconds(speaker):
    """The reference steps 300 samples ahead (following two clocks): the path learned is no
    longer where it was; the canceller starts again and takes the echo out within seconds
    (measured: 12 dB three seconds after the step, 20 dB after six)."""
    played = speaker[:IN_RATE * 24]
    echo = np.zeros_like(played)
    echo[1000:] = 0.5 * played[:-1000]
    echo += np.random.default_rng(0).normal(0, 2e-4, len(echo))
    split, step = IN_RATE * 12, 300
    canceller = EchoCanceller()
    cancel(echo[:split], played[:split], canceller=canceller)
    canceller.shift(step)
    # From here the reference is handed over ``step`` samples further on.
    out = cancel(echo[split:-step], played[split + step:], canceller=canceller)
    later = echo[split:-step]
    second = [db(later[s * IN_RATE:(s + 1) * IN_RATE]) - db(out[s * IN_RATE:(s + 1) * IN_RATE])
              for s in range(len(out) // IN_RATE)]
    assert second[0] < 6.0, "it did start again (else this test shows nothing)"
    assert min(second[3:]) >= 10.0 and np.median(second[5:]) >= 18.0, second


def test_a_person_heard_between_its_lines_is_not_taken_for_its_echo(speaker):
    """The canceller learns the room on 12 s of the assistant's voice; the voice stops for two
    seconds, in which a person says "i need help" 6 dB under its echo; the voice goes on.
    Over a span from their words into the next line (a check's span runs on past a phrase)
    the microphone held more than the echo: the blocks with nothing played count (when only
    the others did, the span held "only its echo", and a help phrase said there was
    dropped). Over the next line alone, it held the echo alone."""
    room = Room(noise=2e-4)
    played = np.concatenate([speaker[:IN_RATE * 12], silence(2.0),
                             speaker[IN_RATE * 12:IN_RATE * 16]])
    mic = through(room, played)
    said = flite("i need help", "slt")
    said *= 10 ** ((db(mic[:IN_RATE * 12]) - 6 - db(said[said != 0])) / 20)
    at = int(12.6 * IN_RATE)
    mic[at:at + len(said)] += said
    canceller = EchoCanceller()
    cancel(mic, played, canceller=canceller)
    assert canceller.left(12.6, 14.8) > 0.1
    assert canceller.left(14.8, 17.0) < ECHO_ONLY


@pytest.mark.parametrize("person", [False, True])
def test_a_phrase_where_the_microphone_held_only_the_echo_is_not_acted_on(person, speaker,
                                                                        tmp_path):
    """Once the echo canceller has learned a quiet room (it takes 30-45 dB out there), a
    phrase "heard" where the microphone held nothing but the assistant's echo is ignored as
    "echo only"; the pause phrase said by a person 6 dB under that echo, at the same moment,
    is acted on."""
    from assistant.build import build_assistant

    config = config_module.load(ROOT / "config.yaml")[0]
    said = flite("stop everything", "slt")
    at, end = 30.0, 30.0 + speech_end(said)
    level = 10 ** ((db(through(Room(noise=2e-4), speaker)) - 6 - db(said[said != 0])) / 20)
    user = np.concatenate([silence(at), said * level]) if person else None
    assistant = build_assistant(config, recogniser=Claims({end: "stop everything"}),
                                voice=Voice(rate=QUICK), cancel_echo=True)
    events = loopback(assistant, "body_scan", room=Room(noise=2e-4), user=user,
                      limit=end + 1.0)
    ignored = [(e["phrase"], e["evidence"]) for e in events if e["event"] == "ignored"]
    paused = [e for e in events if e["event"] == "trigger" and e["intent"] == "pause"]
    if person:
        assert not ignored and len(paused) == 1
    else:
        assert ignored == [("stop everything", "echo only")] and not paused


def test_a_loop_falling_behind_is_not_taken_for_a_drifting_clock():
    """Live, on a busy machine, the loop can fall behind the microphone a millisecond a
    second: what the speaker played runs ahead of what was taken, as it would if the
    speaker's clock ran 1000 parts per million fast. The clocks are compared as of what the
    microphone heard (the queue counted in), so there is no drift to follow (measured live:
    991 ppm followed where there was none, and the canceller took out 2-3 dB; 33-47 dB with
    the clocks in step)."""
    for behind in (0.0005, 0.001):
        reference, played, queue, credit, chunk = Reference(OUT_RATE), 0, 0, 0.0, 160
        for k in range(60 * IN_RATE // chunk):
            while played + 256 <= (k + 1) * chunk * OUT_RATE // IN_RATE:
                reference.add(played, np.zeros(256, np.float32))
                played += 256
            queue += 1
            credit += 1 - behind  # the loop gets through a little less than it hears
            while credit >= 1 and queue:
                credit, queue = credit - 1, queue - 1
                reference.take(chunk, queued=queue * chunk)
        assert abs(reference.drift) < 10.0, (behind, reference.drift)


def test_an_echo_with_no_delay_of_its_own_is_taken_out():
    """A speaker beside the microphone and sound buffers of a few milliseconds bring the
    echo back sooner than the reference's least lead (``GUARD``): it must still come after
    its reference, or no filter can take it out (live, 0.2 dB taken out before the
    microphone was taken ``LATE``; 35 dB after)."""
    from assistant.build import build_assistant

    config = config_module.load(ROOT / "config.yaml")[0]
    assistant = build_assistant(config, recogniser=Claims({}), voice=Voice(), cancel_echo=True)
    loopback(assistant, "body_scan", room=Room(delay=0.0, noise=2e-4), until=20.0)
    assert assistant.canceller.taken(10.0, 20.0) > 0.9  # more than 10 dB


def test_a_speaker_that_falls_silent_for_a_moment_is_not_taken_for_a_drifting_clock():
    """On a busy machine the speaker's stream can run dry for a moment (an underrun): the
    sound card plays a few milliseconds of silence that were never handed to it, and from
    then on the echo comes that much later. That is a step, not a clock running slow, and a
    straight line through a few steps looks like one (measured live under load: 90-98 ppm
    followed where there was none, and the canceller took out 3-9 dB instead of 40-50)."""
    reference, played, stalled, chunk = Reference(OUT_RATE), 0, 0, 160
    for k in range(120 * IN_RATE // chunk):
        if k and k % (20 * IN_RATE // chunk) == 0:
            stalled += int(0.008 * OUT_RATE)  # 8 ms the speaker played that were not ours
        while played + stalled + 256 <= (k + 1) * chunk * OUT_RATE // IN_RATE:
            reference.add(played, np.zeros(256, np.float32))
            played += 256
        reference.take(chunk)
    assert abs(reference.drift) < 10.0, reference.drift
