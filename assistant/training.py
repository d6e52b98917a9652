"""Teach the embedding classifier the user's phrases, on the device, from synthetic speech.

Each phrase is spoken by several flite and espeak-ng voices at three rates and
two pitches, then placed in rooms (a little reverb) and noise. Ordinary speech
made of random dictionary words, noise and silence are the "none of them"
examples, and each phrase is an example against the others, so similar
phrases are told apart. The result is cached in ``models/`` by phrase list.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np

from .audio import IN_RATE, read_wav
from .config import normalise_phrase
from .embedding import BLOCK, FRAMES, Classifier, Embedder
from .recognizers import RecogniserError

VERSION = 7  # change when the data or the network changes, so old caches are not used
FLITE = ("slt", "rms", "awb", "kal16")
ESPEAK = ("en-us", "en", "en-gb-scotland", "en-us+f3", "en-029", "en-gb-x-rp")
RATES = (0.8, 1.0, 1.25)
ENROLLED_COPIES = 30  # augmented copies of each take of the user's own voice
COMMON = """the a an and or but of to in at by for with from as is are was were be been it this
that these those there here what which who when where why how all some any each every many much
more most other such only own same so than too very can will just should now then well also
back out over under again once about after before into through during between around while i
me my we our you your he him his she her they them their its one two three four five six seven
eight nine ten first last new old good great little long big small high low next early young
important few public bad same able time year people way day man thing woman life child world
school state family student group country problem hand part place case week company system
program question work government number night point home water room mother area money story
fact month lot right study book eye job word business issue side kind head house service
friend father power hour game line end member law car city community name president team
minute idea kid body information nothing ago lead social understand whether watch together
follow around parent stop face anything create public already speak others read level allow
add office spend door health person art sure such war history party within grow result open
change morning walk reason low win research girl guy early food before moment himself air
teacher force offer enough both education across although remember foot second boy maybe
toward able age off policy everything love process music including consider appear actually buy
probably human wait serve market die send expect home sense build stay fall oh nation plan cut
college interest death course someone experience behind reach local kill six remain effect use
yeah suggest class control raise care perhaps little late hard field else pass former sell
major sometimes require along development themselves report role better economic effort up
decide rate strong possible heart drug show leader light voice wife police mind finally pull
return free military price less according decision explain son hope even develop view
relationship carry town road drive arm true federal break better difference thank receive
value international building action full model join season society tax director position
player agree especially record pick wear paper special space ground form support event official
whose matter everyone center couple site project hit base activity star table need court
produce eat american teach oil half situation easy cost industry figure street image itself
phone either data cover quite picture clear practice piece land recent describe product
doctor wall patient worker news test movie certain north personal simply third technology catch
step baby computer type attention draw film tree source red nearly organization choose cause
hair look point century evidence window difficult listen soon culture billion chance brother
energy period summer realize hundred available plant likely opportunity term short letter
condition choice place single rule daughter administration south husband floor campaign
material population economy medical hospital church close thousand risk current fire future
wrong involve defense anyone increase security bank myself certainly west sport board seek per
subject officer private rest behavior deal performance fight throw top quickly past goal
bed order author fill represent focus foreign drop blood upon agency push nature color recently
store reduce sound note fine near movement page enter share than common poor natural race
concern series significant similar hot language usually response dead rise animal factor
decade article shoot east save seven artist away scene stock career despite central eight
thus treatment beyond happy exactly protect approach lie size dog fund serious occur media
ready sign thought list individual simple quality pressure accept answer resource identify
left meeting determine prepare disease whatever success argue cup particularly amount ability
staff recognize indicate character growth loss degree wonder attack herself region television
box training pretty trade election everybody physical lay general feeling standard bill message
fail outside arrive analysis benefit sex forward lawyer present section environmental glass
answer skill sister professor operation financial crime stage ok compare authority miss design
sort act ten knowledge gun station blue state strategy clearly discuss indeed force truth song
example democratic check environment leg dark various rather laugh guess executive set study
prove hang entire rock forget claim remove manager enjoy network legal religious cold form
final main science green memory card above seat cell establish nice trial expert spring firm
radio visit management avoid imagine tonight huge ball finish yourself theory impact respond
statement maintain charge popular traditional onto reveal direction weapon employee cultural
contain peace control base head pain apply play measure wide shake fly interview manage chair
fish particular camera structure politics perform bit weight suddenly discover candidate
production treat trip evening affect inside conference unit style adult worry range mention
deep edge specific writer trouble necessary throughout challenge fear shoulder institution
middle sea dream bar beautiful property instead improve stuff""".split()


#: The kind of thing the assistant itself says (calm guidance, dates, breathing cues, contacts),
#: so that its own voice from the speaker does not start anything. Written for this purpose;
#: the user's scripts are not used, so editing them never means learning again.
OWN_SPEECH = """Take your time, there is no hurry at all.
Let your shoulders drop a little, and let your hands rest.
Notice the floor under your feet and the chair holding you.
Look around the room and find something blue.
Listen for a sound far away, and then a sound close by.
It is Tuesday the fourteenth of March, it is late in the evening.
Today is Friday, the sixth of August, and it is early afternoon.
You are safe in this moment, and this feeling will pass.
In. Hold. Out. Hold. In. Out.
Breathe in slowly through your nose, and out through your mouth.
Follow the tone as it rises and falls.
Let the breath out be a little longer than the breath in.
Notice your hands, their warmth, the air against your skin.
If it feels okay, notice your legs, and let them be heavy.
You can open your eyes or keep them resting on one spot.
Your friend Alex, at home. Their number is in your phone.
The crisis line is open all day and all night, you can call or send a text.
You have a plan, and you have people who care about you.
Well done for staying with it, that took courage.
Let us finish here, and notice how you feel now.
This is a support tool, and it is not therapy or an emergency service.
Remember to drink some water and to eat something small.
Notice the colour of the walls and the light from the window.
Feel the weight of your body, the points where it touches the seat.
You can say your pause words whenever you like.
Picture the place where you feel calm, the sounds and the smells of it.
Hold the smooth stone in your hand and feel how cool it is.
Let your jaw soften and your tongue rest.
We will count slowly together, breathing in and breathing out.
The kettle is warm, and the tea is ready when you are.""".splitlines()

#: Words of the shared benchmark recordings that are not commands: kept out of training, so the
#: benchmark stays a test on words the classifier has never been taught.
HELD_OUT = set("bed bird cat dog happy house marvin sheila tree wow zero one two three four five "
               "six seven eight nine".split())


def dictionary() -> dict[str, tuple[str, ...]]:
    """PocketSphinx's pronouncing dictionary: word to phones (first pronunciation)."""
    import pocketsphinx

    path = Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"
    words: dict[str, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        word, *phones = line.split()
        if word.isalpha() and word not in words:
            words[word] = tuple(phones)
    return words


def neighbours(word: str, words: dict[str, tuple[str, ...]], limit: int = 12,
               rng: np.random.Generator | None = None) -> list[str]:
    """Words that sound almost like ``word``: one phone changed, added or removed."""
    target = words.get(word)
    if not target:
        return []
    near = []
    for other, phones in words.items():
        if other == word or phones == target or abs(len(phones) - len(target)) > 1:
            continue
        if edit_distance(phones, target) == 1:
            near.append(other)
    if rng is not None and len(near) > limit:
        near = list(rng.choice(near, limit, replace=False))
    return near[:limit]


def edit_distance(a: tuple, b: tuple) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]


def cache_path(folder: Path, phrases: tuple[str, ...], voice: str = "") -> Path:
    """Where the model for these phrases (and these enrolled takes, by digest) is kept."""
    key = hashlib.sha256(repr((VERSION, sorted(phrases))).encode()).hexdigest()[:16]
    return folder / (f"phrases-{key}-{voice}.npz" if voice else f"phrases-{key}.npz")


def speak(engine: str, voice: str, text: str, rate: float, pitch: float | None, tmp: Path,
          gap: bool = False) -> np.ndarray:
    """``text`` spoken by a flite or espeak-ng voice at 16 kHz; ``rate`` and ``pitch`` are
    relative (pitch ``None``: the voice's own). With ``gap``, one word at a time."""
    out = tmp / "s.wav"
    if gap:
        text = ". ".join(text.split()) + "." if engine == "flite" else text
    if engine == "flite":
        cmd = ["flite", "-voice", voice, "--setf", f"duration_stretch={1 / rate:.3f}"]
        if pitch is not None:
            mean = (170 if voice == "slt" else 110) * pitch
            cmd += ["--setf", f"int_f0_target_mean={mean:.0f}"]
        cmd += ["-t", text, "-o", str(out)]
    else:
        cmd = ["espeak-ng", "-v", voice, "-s", str(int(165 * rate)),
               *(["-p", str(int(50 * pitch))] if pitch is not None else []),
               *(["-g", "50"] if gap else []), "-w", str(out), text]
    subprocess.run(cmd, check=True, capture_output=True)
    return read_wav(out, IN_RATE)


def voices() -> list[tuple[str, str]]:
    found = []
    if shutil.which("flite"):
        found += [("flite", v) for v in FLITE]
    if shutil.which("espeak-ng"):
        found += [("espeak", v) for v in ESPEAK]
    if not found:
        raise RecogniserError("learning your phrases needs flite or espeak-ng; the setup "
                              "command installs them.")
    return found


def glide(n: int, rng: np.random.Generator) -> np.ndarray:
    """A soft tone gliding up and down between about 150 and 400 Hz, as the pacer's does."""
    t = np.arange(n) / IN_RATE
    period = rng.uniform(6, 14)
    low, high = rng.uniform(150, 220), rng.uniform(260, 400)
    f = low + (high - low) * (0.5 - 0.5 * np.cos(2 * np.pi * t / period))
    return np.sin(2 * np.pi * np.cumsum(f) / IN_RATE).astype(np.float32)


def pink(n: int, rng: np.random.Generator) -> np.ndarray:
    spectrum = np.fft.rfft(rng.normal(size=n))
    spectrum[1:] /= np.sqrt(np.arange(1, len(spectrum)))
    x = np.fft.irfft(spectrum, n)
    return (x / (np.std(x) + 1e-9)).astype(np.float32)


def room(sound: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A small random room: exponentially decaying noise as the impulse response."""
    rt = rng.uniform(0.1, 0.5)
    n = int(rt * IN_RATE)
    ir = rng.normal(size=n) * np.exp(-6.9 * np.arange(n) / n)
    ir[0] = 1.0 / rng.uniform(0.2, 0.6)
    wet = np.convolve(sound, ir / np.abs(ir).sum() * 4)[:len(sound)]
    return (wet / (np.abs(wet).max() + 1e-9) * np.abs(sound).max()).astype(np.float32)


def microphone(sound: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random cheap microphone: band limits and a tilt of the spectrum."""
    spectrum = np.fft.rfft(sound)
    f = np.fft.rfftfreq(len(sound), 1 / IN_RATE)
    low, high = rng.uniform(60, 400), rng.uniform(3000, 7800)
    shape = 1 / (1 + (low / np.maximum(f, 1)) ** 4) / (1 + (f / high) ** 4)
    shape *= (np.maximum(f, 100) / 1000) ** rng.uniform(-0.4, 0.4)
    return np.fft.irfft(spectrum * shape, len(sound)).astype(np.float32)


def augment(sound: np.ndarray, rng: np.random.Generator, noises: list[np.ndarray]) -> np.ndarray:
    if rng.random() < 0.7:
        sound = microphone(sound, rng)
    if rng.random() < 0.5:
        sound = room(sound, rng)
    if rng.random() < 0.8:
        noise = noises[int(rng.integers(len(noises)))]
        if len(noise) <= len(sound):
            noise = np.resize(noise, len(sound) + IN_RATE)
        start = int(rng.integers(len(noise) - len(sound)))
        loud = sound[np.abs(sound) > 0.05 * np.abs(sound).max()]
        power = float(np.mean(loud ** 2)) if len(loud) else 1e-4
        snr = rng.uniform(3, 30)
        sound = sound + noise[start:start + len(sound)] * np.sqrt(power / 10 ** (snr / 10))
    gain = 10 ** (rng.uniform(-18, 0) / 20) / (np.abs(sound).max() + 1e-9)
    return (sound * gain * 0.9).astype(np.float32)


def clip_like(sound: np.ndarray, rng: np.random.Generator, noises: list[np.ndarray],
              lead: int) -> np.ndarray:
    """``sound`` after ``lead`` samples, noise and room over all of it, and sometimes cut to
    digital silence before and after, as a recording's edges are."""
    x = np.concatenate([np.zeros(lead, np.float32), sound, np.zeros(BLOCK * 4, np.float32)])
    x = augment(x, rng, noises)
    if rng.random() < 0.5:
        x[:int(rng.integers(lead + 1))] = 0.0
        x[len(x) - int(rng.integers(BLOCK * 4)):] = 0.0
    return x


def positive_windows(sound: np.ndarray, embedder: Embedder, rng: np.random.Generator,
                     noises: list[np.ndarray], after: np.ndarray | None = None
                     ) -> tuple[np.ndarray, float]:
    """Windows ending just after the phrase, from a random position in the first block.

    ``after`` is speech that follows the phrase, as when it is said inside a sentence.
    """
    lead = int(rng.integers(BLOCK)) + BLOCK * int(rng.integers(2, 6))
    loud = np.flatnonzero(np.abs(sound) > 0.05 * np.abs(sound).max())
    end = lead + (loud[-1] if len(loud) else len(sound))
    if after is not None:
        gap = np.zeros(int(rng.integers(IN_RATE // 8)), np.float32)
        sound = np.concatenate([sound, gap, after])
    windows = embedder.history(embedder.clip(clip_like(sound, rng, noises, lead) * 32767))
    first = int(np.ceil(end / BLOCK))  # the first block that holds the phrase's end
    duration = (len(loud) and (loud[-1] - loud[0])) / IN_RATE
    return windows[first - 1:first + 2], duration


def negative_windows(sound: np.ndarray, embedder: Embedder, rng: np.random.Generator,
                     noises: list[np.ndarray], piece: float = 2.0) -> np.ndarray:
    """Every window of ``sound``, cut into short recordings."""
    n = int(piece * IN_RATE)
    parts = [clip_like(sound[i:i + n], rng, noises, BLOCK * int(rng.integers(1, 4)))
             for i in range(0, len(sound), n)]
    return np.concatenate([embedder.history(embedder.clip(p * 32767)) for p in parts])


def train(phrases: tuple[str, ...], *, seed: int = 0,
          progress: Callable[[str], None] = lambda s: None,
          enrolled: dict[str, list[np.ndarray]] | None = None) -> Classifier:
    """Synthesise, embed and fit; ``enrolled`` adds the user's own takes of some phrases.
    Takes a few minutes for a dozen phrases."""
    rng = np.random.default_rng(seed)
    embedder = Embedder()
    talkers = voices()
    banned = {w for p in phrases for w in p.split()} | HELD_OUT
    words = dictionary()
    sounds_like = {words[w] for w in banned if w in words}
    vocabulary = [w for w in COMMON if w not in banned and words.get(w) not in sounds_like]
    near = sorted({n for p in phrases for w in p.split() for n in neighbours(w, words, rng=rng)}
                  - banned)
    xs, ys, durations = [], [], []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        progress("making background noise")
        babble = sum(speak(e, v, " ".join(rng.choice(vocabulary, 200)), 1.0, 1.0,
                           tmp)[:IN_RATE * 40] for e, v in talkers[:3])
        noises = [pink(IN_RATE * 60, rng), np.resize(babble / np.std(babble), IN_RATE * 60),
                  rng.normal(size=IN_RATE * 60).astype(np.float32)]
        for label, phrase in enumerate(phrases, start=1):
            progress(f"learning '{phrase}'")
            lengths = []
            for engine, voice in talkers:
                for rate in RATES:
                    for pitch in (0.85, 1.15):
                        clean = speak(engine, voice, phrase, rate, pitch, tmp)
                        windows, duration = positive_windows(clean, embedder, rng, noises)
                        lengths.append(duration)
                        # ...and inside a sentence, with words before and after it.
                        before = " ".join(rng.choice(vocabulary, int(rng.integers(1, 4))))
                        said = speak(engine, voice, f"{before} {phrase}", rate, pitch, tmp)
                        after = speak(engine, voice, " ".join(rng.choice(vocabulary, 2)),
                                      rate, pitch, tmp)
                        inside, _ = positive_windows(said, embedder, rng, noises, after)
                        xs += [windows, inside]
                        ys += [label] * (len(windows) + len(inside))
            for take in (enrolled or {}).get(phrase, []):
                for _ in range(ENROLLED_COPIES):  # the user's voice, in many rooms and noises
                    engine, voice = talkers[int(rng.integers(len(talkers)))]
                    after = speak(engine, voice, " ".join(rng.choice(vocabulary, 2)), 1.0,
                                  None, tmp) if rng.random() < 0.3 else None
                    windows, _ = positive_windows(take, embedder, rng, noises, after)
                    xs.append(windows)
                    ys += [label] * len(windows)
            durations.append(float(np.median(lengths)))
        progress("learning what is not a phrase")
        for k, (engine, voice) in enumerate(talkers * 2):
            text = " ".join(rng.choice(vocabulary, 120))
            speech = speak(engine, voice, text, RATES[k % 3], (0.85, 1.0, 1.15)[k % 3], tmp)
            windows = negative_windows(speech, embedder, rng, noises, piece=4.0)
            xs.append(windows)
            ys += [0] * len(windows)
        progress("learning its own voice")
        said = [f" {normalise_phrase(t)} " for t in OWN_SPEECH]
        spoken = [t for t, words in zip(OWN_SPEECH, said) if not HELD_OUT & set(words.split())
                  and not any(f" {p} " in words for p in phrases)]
        for engine, voice in talkers if spoken else []:
            text = " ".join(rng.choice(spoken, min(6, len(spoken)), replace=False))
            speech = speak(engine, voice, text, RATES[int(rng.integers(3))], None, tmp)
            if rng.random() < 0.5:  # over the breathing tone
                speech = speech + glide(len(speech), rng) * np.abs(speech).max() * 0.3
            windows = negative_windows(speech, embedder, rng, noises, piece=4.0)
            xs.append(windows)
            ys += [0] * len(windows)
        progress("learning words that sound close")
        for engine, voice in talkers:
            single = list(rng.choice(vocabulary, 30)) + near
            rng.shuffle(single)
            speech = speak(engine, voice, " ".join(single), RATES[int(rng.integers(3))], 1.0,
                           tmp, gap=True)
            windows = negative_windows(speech, embedder, rng, noises)
            xs.append(windows)
            ys += [0] * len(windows)
        for noise in [*noises, glide(IN_RATE * 30, rng)]:  # noise or tone alone, coming and going
            quiet = noise[:IN_RATE * 30] * 10 ** (rng.uniform(-40, -10) / 20)
            windows = negative_windows(quiet, embedder, rng, noises[:1], piece=1.5)
            xs.append(windows)
            ys += [0] * len(windows)
    x = np.concatenate(xs).reshape(-1, FRAMES * 96)
    y = np.array(ys)
    progress(f"fitting on {len(y)} examples")
    return fit(x, y, phrases, np.array(durations), rng)


def fit(x: np.ndarray, y: np.ndarray, phrases: tuple[str, ...], durations: np.ndarray,
        rng: np.random.Generator, *, members: int = 3) -> Classifier:
    """An ensemble of networks, each from its own start and its own resample of the data."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-3
    x = ((x - mean) / scale).astype(np.float32)
    nets = [fit_one(x[pick], y[pick], len(phrases) + 1, rng)
            for pick in (rng.integers(len(y), size=len(y)) for _ in range(members))]
    w1, b1, w2, b2 = (np.stack(p) for p in zip(*nets))
    return Classifier(phrases, mean.astype(np.float32), scale.astype(np.float32), w1, b1, w2, b2,
                      durations=durations.astype(np.float32))


def fit_one(x: np.ndarray, y: np.ndarray, k: int, rng: np.random.Generator, *,
            hidden: int = 64, epochs: int = 30) -> list[np.ndarray]:
    """One softmax network trained with Adam; classes weighted so each counts the same."""
    counts = np.bincount(y, minlength=k).astype(np.float32)
    weight = (len(y) / (k * np.maximum(counts, 1)))[y]
    params = [rng.normal(0, np.sqrt(2 / x.shape[1]), (x.shape[1], hidden)).astype(np.float32),
              np.zeros(hidden, np.float32),
              rng.normal(0, np.sqrt(1 / hidden), (hidden, k)).astype(np.float32),
              np.zeros(k, np.float32)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    step, lr, decay = 0, 1e-3, 1e-4
    for _ in range(epochs):
        order = rng.permutation(len(y))
        for i in range(0, len(y), 256):
            batch = order[i:i + 256]
            xb, yb, wb = x[batch], y[batch], weight[batch]
            h_pre = xb @ params[0] + params[1]
            keep = (rng.random(h_pre.shape) > 0.2) / 0.8  # dropout on the hidden layer
            h = np.maximum(h_pre, 0) * keep
            z = h @ params[2] + params[3]
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            dz = p
            dz[np.arange(len(yb)), yb] -= 1
            dz *= (wb / wb.sum())[:, None]
            dh = (dz @ params[2].T) * keep * (h_pre > 0)
            grads = [xb.T @ dh + decay * params[0], dh.sum(0), h.T @ dz + decay * params[2],
                     dz.sum(0)]
            step += 1
            for j, g in enumerate(grads):
                m[j] = 0.9 * m[j] + 0.1 * g
                v[j] = 0.999 * v[j] + 0.001 * g * g
                mh, vh = m[j] / (1 - 0.9 ** step), v[j] / (1 - 0.999 ** step)
                params[j] -= lr * mh / (np.sqrt(vh) + 1e-8)
    return params


def learned(phrases: tuple[str, ...], folder: Path) -> bool:
    """Whether the model for these phrases and their enrolled takes is already learned."""
    from .embedding import model_paths
    from .enroll import digest, load

    model_paths()  # says so if the embedding models are missing
    enrolled = load(folder, phrases)
    return cache_path(folder, phrases, digest(enrolled) if enrolled else "").exists()


def load_or_train(phrases: tuple[str, ...], folder: Path, *, quiet: bool = False,
                  enrolled: dict[str, list[np.ndarray]] | None = None) -> Classifier:
    """The learned model for these phrases (and takes), learning it first if need be."""
    from .enroll import digest

    path = cache_path(folder, phrases, digest(enrolled) if enrolled else "")
    if path.exists():
        return Classifier.load(path)

    def say(message: str) -> None:
        if not quiet:
            print(f"Learning your phrases (once): {message}...", file=sys.stderr)

    classifier = train(phrases, progress=say, enrolled=enrolled)
    folder.mkdir(parents=True, exist_ok=True)
    classifier.save(path)
    return classifier


VOWELS = {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"}


def phrase_warnings(words: dict[str, tuple[str, ...]]) -> list[tuple[str, int, str]]:
    """(intent, index, advice) for phrases likely to be missed or to start by themselves."""
    lexicon = dictionary()
    common = set(COMMON)

    def phones(phrase: str) -> tuple[str, ...]:
        return tuple(p.rstrip("012") for w in phrase.split() for p in lexicon.get(w, ()))

    found = []
    every = [(intent, i, p) for intent, ps in words.items() for i, p in enumerate(ps)]
    for intent, i, phrase in every:
        sound = phones(phrase)
        syllables = sum(p in VOWELS for p in sound)
        if syllables == 1:
            found.append((intent, i, f"'{phrase}' is one short syllable, easily missed or heard "
                          f"in other words; a phrase of two or three words, such as "
                          f"'{phrase} right now', is heard far more reliably."))
        elif len(phrase.split()) == 1 and phrase in common:
            found.append((intent, i, f"'{phrase}' is a common word in ordinary speech; a phrase "
                          "of two or three words starts things by accident far less often."))
        for other_intent, j, other in every:
            if (other_intent, j) <= (intent, i) or other_intent == intent:
                continue
            if sound and edit_distance(sound, phones(other)) <= max(1, len(sound) // 4):
                found.append((intent, i, f"'{phrase}' sounds much like '{other}' "
                              f"({other_intent.replace('_', ' ')}); choose phrases that sound "
                              "different."))
    return found
