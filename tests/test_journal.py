"""Check-ins by voice and the private journal, through `run` and `grounding journal`."""
from __future__ import annotations

import csv
import io
import stat

import matplotlib.image
import numpy as np
import pytest
import yaml

from assistant import settings as config_module
from assistant.journal import Journal, journal_path, plot
from assistant.speaking.answers import GAP
from assistant.speaking.routines import render

from .conftest import ROOT, cli, data_folder, flite, read_events, save, silence, voice_of


def checkin_config(tmp_path) -> tuple:
    """Check-ins on, spoken by espeak-ng: the recording is timed by the lengths of what it
    says, and espeak-ng says a text the same way every time (the natural voice may not)."""
    data = yaml.safe_load((ROOT / "config.yaml").read_text())
    data["voice"]["engine"] = "espeak"
    data["checkins"].update(enabled=True, wait=10)
    data["routines"]["breathing"].update(minutes=0.4)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path, config_module.load(path)[0]


@pytest.fixture(scope="module")
def rated(tmp_path_factory):
    """A command, "seven" at the check-in, the routine, then "four" after it."""
    tmp = tmp_path_factory.mktemp("journal")
    path, config = checkin_config(tmp)
    store = data_folder(tmp / "store")
    voice = voice_of(config, store)
    seconds = render("breathing", config, voice).seconds
    command = flite("breathe with me", "slt")
    seven, four = flite("seven", "rms"), flite("four", "slt")
    thanks = len(voice.say("Seven, thank you.")) / 22050 + GAP + 0.34
    wav = save(tmp / "in.wav", silence(0.5), command, silence(5.0), seven,
               silence(0.5 + thanks + seconds + 4.0), four, silence(8.0))
    result = cli("run", "--config", path, "--input", wav, "--output", tmp / "out.wav",
                 "--events", tmp / "ev.jsonl", "--fast", env={"GROUNDING_DATA": str(store)})
    assert result.returncode == 0, result.stderr
    return read_events(tmp / "ev.jsonl"), store, tmp


def test_ratings_said_at_the_check_ins_go_into_the_journal(rated):
    events, store, _ = rated
    assert [(e["when"], e["rating"]) for e in events if e["event"] == "rating"] == \
        [("before", 7), ("after", 4)]
    rows = Journal(journal_path(store)).sessions()
    assert [(r["routine"], r["before"], r["after"], r["ended"]) for r in rows] == \
        [("breathing", 7, 4, "finished")]
    exported = cli("journal", "--export", "csv", env={"GROUNDING_DATA": str(store)})
    assert exported.returncode == 0
    row = next(csv.DictReader(io.StringIO(exported.stdout)))
    assert (row["routine"], row["before"], row["after"]) == ("breathing", "7", "4")
    shown = cli("journal", env={"GROUNDING_DATA": str(store)})
    assert "breathing" in shown.stdout and "finished" in shown.stdout


def test_the_plot_is_a_png_with_the_before_and_after_lines(rated, tmp_path):
    _, store, _ = rated
    rows = Journal(journal_path(store)).sessions()
    figure = plot(rows, tmp_path / "in.png")
    lines = {line.get_gid(): list(line.get_ydata()) for line in figure.axes[0].lines
             if line.get_gid()}
    assert lines == {"session": [7, 4], "before": [7], "after": [4]}  # joined, one session
    drawn = cli("journal", "--plot", tmp_path / "d.png", env={"GROUNDING_DATA": str(store)})
    assert drawn.returncode == 0, drawn.stderr
    assert (tmp_path / "d.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = matplotlib.image.imread(tmp_path / "d.png")
    assert image.shape[:2] == (450, 800) and np.ptp(image) > 0


def test_the_plot_answers_does_it_help_over_weeks(tmp_path):
    """Sessions over weeks: each session's before and after joined, coloured by whether the
    distress went down; dates on the axis; the key outside the data, naming only what is
    drawn (never the pause or help routines, which are never rated)."""
    import datetime as dt

    from matplotlib.dates import num2date

    rows = [{"started": (dt.datetime(2026, 10, 1, 20) + dt.timedelta(days=3 * k))
             .isoformat(), "routine": routine, "seconds": 120.0, "ended": "finished",
             "before": before, "after": after}
            for k, (routine, before, after) in enumerate(
                [("breathing", 8, 5), ("ground", 6, 6), ("breathing", 5, 7),
                 ("pause", None, None), ("help", None, None), ("body_scan", 9, 3)])]
    figure = plot(rows, tmp_path / "w.png")
    axes = figure.axes[0]
    joined = [(list(line.get_ydata()), line.get_color()) for line in axes.lines
              if line.get_gid() == "session"]
    assert joined == [([8, 5], "#2e8b57"), ([6, 6], "#7f7f7f"), ([5, 7], "#d2691e"),
                      ([9, 3], "#2e8b57")]
    labels = [t.get_text() for t in figure.legends[0].get_texts()]
    assert labels == ["before", "after", "lower after", "same after", "higher after",
                      "body scan", "breathing", "ground"]
    # The key stands beside the axes, not over the newest points.
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(figure).get_renderer()
    key = figure.legends[0].get_window_extent(renderer)
    assert key.x0 > axes.get_window_extent(renderer).x1
    ticks = [num2date(t) for t in axes.get_xticks()]
    assert ticks[0].year == 2026 and (ticks[-1] - ticks[0]).days >= 7  # days, not seconds


def test_the_journal_is_private(rated):
    _, store, _ = rated
    assert stat.S_IMODE(store.stat().st_mode) == 0o700
    assert stat.S_IMODE(journal_path(store).stat().st_mode) == 0o600


def test_a_journal_that_cannot_be_written_never_stops_the_routine(tmp_path):
    store = data_folder(tmp_path / "store")
    journal_path(store).mkdir(parents=True)  # in the way: no database can be made there
    wav = save(tmp_path / "in.wav", silence(0.5), flite("body scan", "rms"),
               silence(3.0), flite("stop everything", "slt"), silence(3.0),
               flite("be quiet now", "slt"), silence(2.0))
    result = cli("run", "--input", wav, "--output", tmp_path / "out.wav", "--events",
                 tmp_path / "ev.jsonl", "--fast", env={"GROUNDING_DATA": str(store)})
    assert result.returncode == 0, result.stderr
    starts = [e["routine"] for e in read_events(tmp_path / "ev.jsonl")
              if e["event"] == "routine_start"]
    assert starts == ["body_scan", "pause"]
    said = [line for line in result.stderr.splitlines() if "journal" in line.lower()]
    assert len(said) == 1 and "cannot be opened" in said[0] and "Traceback" not in \
        result.stderr, result.stderr


def test_forget_asks_once_and_no_journal_keeps_nothing(tmp_path):
    store = data_folder(tmp_path / "store")
    env = {"GROUNDING_DATA": str(store)}
    wav = save(tmp_path / "in.wav", silence(0.5), flite("stop everything", "slt"),
               silence(2.0), flite("be quiet now", "slt"), silence(2.0))
    run = ["run", "--input", wav, "--output", tmp_path / "o.wav", "--fast"]
    assert cli(*run, "--no-journal", env=env).returncode == 0
    assert not journal_path(store).exists()
    assert cli(*run, env=env).returncode == 0
    assert len(Journal(journal_path(store)).sessions()) == 1
    kept = cli("journal", "--forget", env=env, input="n\n")
    assert kept.returncode == 0 and journal_path(store).exists()
    gone = cli("journal", "--forget", env=env, input="y\n")
    assert gone.returncode == 0 and "Deleted" in gone.stdout
    assert not journal_path(store).exists()


def test_journal_false_in_the_configuration_keeps_none(tmp_path):
    data = yaml.safe_load((ROOT / "config.yaml").read_text())
    data["journal"] = False
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    store = data_folder(tmp_path / "store")
    wav = save(tmp_path / "in.wav", silence(0.5), flite("stop everything", "slt"),
               silence(2.0), flite("be quiet now", "slt"), silence(2.0))
    result = cli("run", "--config", path, "--input", wav, "--output", tmp_path / "o.wav",
                 "--fast", env={"GROUNDING_DATA": str(store)})
    assert result.returncode == 0, result.stderr
    assert not journal_path(store).exists()


def test_since_keeps_the_later_sessions_and_a_bad_day_is_one_sentence(tmp_path):
    import datetime as dt

    journal = Journal(tmp_path / "j.sqlite3")
    for day, routine in (("2026-10-01T08:00:00", "ground"), ("2026-11-20T21:30:00", "pause")):
        journal.add({"started": day, "routine": routine, "seconds": 60.0, "ended": "finished",
                     "before": None, "after": None})
    assert [r["routine"] for r in journal.sessions(dt.date(2026, 11, 1))] == ["pause"]
    assert len(journal.sessions()) == 2
    bad = cli("journal", "--since", "last tuesday", env={"GROUNDING_DATA": str(tmp_path)})
    assert bad.returncode == 2 and "'last tuesday' is not a day" in bad.stderr
