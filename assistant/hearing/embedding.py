"""Speech embeddings for any phrase a user picks, and a small classifier over them.

Audio goes through two small ONNX models shipped in the ``openwakeword`` wheel:
a mel spectrogram and a general speech-embedding network (96 numbers per
80 ms). A classifier trained on the device (see ``training.py``) looks at the
last 16 embeddings (1.28 s) and says which configured phrase, if any, just
ended. Everything runs on fixed 80 ms blocks, so answers do not depend on how
the audio is chunked.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable

import numpy as np

from ..settings import DEFAULT_SENSITIVITY
from ..sound import IN_RATE
from .base import Detection, Recogniser, RecogniserError

BLOCK = 1280  # samples per embedding step (80 ms)
CONTEXT = 480  # samples of the previous block the mel model needs for 8 new frames
MEL_WINDOW = 76  # mel frames per embedding
FRAMES = 16  # embeddings the classifier sees (1.28 s)
REFRACTORY = 1.0  # seconds after a detection in which the same phrase does not fire again


def models_installed() -> None:
    """Raises ``RecogniserError`` if the package holding the speech-embedding models is not
    installed; asks without loading it (it loads onnxruntime: seconds on a small machine)."""
    import importlib.util

    if importlib.util.find_spec("openwakeword") is None:
        raise RecogniserError("the openwakeword package, which holds the speech-embedding "
                              "models, is not installed.")


def model_paths() -> tuple[Path, Path]:
    models_installed()
    import openwakeword

    base = Path(openwakeword.__file__).parent / "resources" / "models"
    return base / "melspectrogram.onnx", base / "embedding_model.onnx"


class Embedder:
    """Int16 audio to one 96-number embedding per 80 ms block."""

    def __init__(self) -> None:
        import onnxruntime as ort  # a native library: loaded only when the engine is built

        options = ort.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        options.log_severity_level = 3
        mel, embedding = model_paths()
        self._mel = ort.InferenceSession(str(mel), options, providers=["CPUExecutionProvider"])
        self._emb = ort.InferenceSession(str(embedding), options,
                                         providers=["CPUExecutionProvider"])
        silence = np.zeros((1, BLOCK + CONTEXT), np.float32)
        self.quiet_mel = np.tile(self.mel(silence)[0, -1], (MEL_WINDOW, 1))
        self.quiet_embedding = self.embed(self.quiet_mel[None])[0]

    def mel(self, blocks: np.ndarray) -> np.ndarray:
        """(n, 1760) samples (int16 scale, float32) to (n, 8, 32) mel frames.

        The model's floor is relative to the loudest of all it is given, so callers pass
        one block at a time to get the same answer as the stream."""
        out = self._mel.run(None, {"input": blocks.astype(np.float32)})[0]
        return out.reshape(len(blocks), -1, 32)[:, :8] / 10.0 + 2.0

    def embed(self, windows: np.ndarray) -> np.ndarray:
        """(n, 76, 32) mel windows to (n, 96) embeddings."""
        out = self._emb.run(None, {"input_1": windows[..., None].astype(np.float32)})[0]
        return out.reshape(len(windows), 96)

    def clip(self, samples: np.ndarray, batch: int = 256) -> np.ndarray:
        """Embeddings of a whole recording, exactly as the stream would make them."""
        x = np.concatenate([np.zeros(CONTEXT, np.float32), samples.astype(np.float32)])
        n = (len(x) - CONTEXT) // BLOCK
        if n == 0:
            return np.zeros((0, 96), np.float32)
        # One block per call: the mel model's dynamic-range floor depends on all it is given.
        mel = np.stack([self.mel(x[None, i * BLOCK:i * BLOCK + BLOCK + CONTEXT])[0]
                        for i in range(n)])
        frames = np.concatenate([self.quiet_mel, mel.reshape(-1, 32)])
        ends = MEL_WINDOW + 8 * (np.arange(n) + 1)
        windows = np.stack([frames[e - MEL_WINDOW:e] for e in ends])
        return np.concatenate([self.embed(windows[i:i + batch]) for i in range(0, n, batch)])

    def history(self, embeddings: np.ndarray) -> np.ndarray:
        """Windows of ``FRAMES`` embeddings ending at each frame, quiet before the start."""
        padded = np.concatenate([np.tile(self.quiet_embedding, (FRAMES - 1, 1)), embeddings])
        return np.stack([padded[i:i + FRAMES] for i in range(len(embeddings))])


@dataclass
class Classifier:
    """A few one-hidden-layer networks, averaged: a window of embeddings to none-or-which-phrase.

    Weights carry a leading axis, one entry per network of the ensemble.
    """

    phrases: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    durations: np.ndarray
    """Typical length of each phrase in seconds, to say where it began."""

    def probabilities(self, windows: np.ndarray) -> np.ndarray:
        """(n, FRAMES, 96) to (n, 1 + phrases): column 0 is "none of them"."""
        x = (windows.reshape(len(windows), -1) - self.mean) / self.scale
        h = np.maximum(np.einsum("nd,mdh->mnh", x, self.w1) + self.b1[:, None], 0.0)
        z = np.einsum("mnh,mhk->mnk", h, self.w2) + self.b2[:, None]
        z -= z.max(axis=2, keepdims=True)
        e = np.exp(z)
        return (e / e.sum(axis=2, keepdims=True)).mean(axis=0)

    def save(self, path: Path | BinaryIO) -> None:
        np.savez(path, phrases=np.array(self.phrases), mean=self.mean, scale=self.scale,
                 w1=self.w1, b1=self.b1, w2=self.w2, b2=self.b2, durations=self.durations)

    @classmethod
    def load(cls, path: Path) -> Classifier:
        with np.load(path) as data:
            return cls(phrases=tuple(str(p) for p in data["phrases"]),
                       **{k: data[k] for k in ("mean", "scale", "w1", "b1", "w2", "b2",
                                               "durations")})


def threshold(sensitivity: float) -> float:
    """Probability a phrase needs in two blocks running: 0.5 at the default sensitivity of 0.6."""
    return float(np.clip(0.95 - 0.75 * sensitivity, 0.05, 0.99))


class EmbeddingRecogniser(Recogniser):
    """Streams 80 ms blocks through the embedder and the user's trained classifier."""

    block = BLOCK

    def __init__(self, phrases: Iterable[str], *, classifier: Classifier, embedder: Embedder,
                 sensitivity: float = DEFAULT_SENSITIVITY,
                 phrase_sensitivity: dict[str, float] | None = None,
                 only: Iterable[str] | None = None):
        """``only``: the phrases it finds (default all it knows)."""
        super().__init__(phrases)
        if set(self.phrases) != set(classifier.phrases):
            raise RecogniserError("the trained phrase model does not match listen.words.")
        self.classifier, self.embedder = classifier, embedder
        self.sensitivity, self.phrase_sensitivity = sensitivity, phrase_sensitivity
        self.only = None if only is None else tuple(only)
        self.thresholds = np.array([threshold((phrase_sensitivity or {}).get(p, sensitivity))
                                    if self.only is None or p in self.only else np.inf
                                    for p in classifier.phrases])
        self._tail = np.zeros(CONTEXT, np.float32)
        self._mel = embedder.quiet_mel.copy()
        self._history = np.tile(embedder.quiet_embedding, (FRAMES, 1))
        self._quiet_until = np.zeros(len(classifier.phrases))
        self._previous = np.zeros(len(classifier.phrases))

    def fresh(self) -> EmbeddingRecogniser:
        return EmbeddingRecogniser(self.phrases, classifier=self.classifier,
                                   embedder=self.embedder, sensitivity=self.sensitivity,
                                   phrase_sensitivity=self.phrase_sensitivity, only=self.only)

    def eager(self, only: Iterable[str] | None = None) -> EmbeddingRecogniser:
        """At the highest sensitivity; with ``only``, it finds those phrases alone."""
        return EmbeddingRecogniser(self.phrases, classifier=self.classifier,
                                   embedder=self.embedder, sensitivity=1.0,
                                   only=self.only if only is None else only)

    def missing_words(self) -> list[str]:
        return []  # any phrase can be synthesised and learned

    def scores(self, block: np.ndarray) -> np.ndarray:
        """Probabilities of none-or-each-phrase after this block."""
        x = np.concatenate([self._tail, block.astype(np.float32)])
        self._tail = x[-CONTEXT:]
        self._mel = np.concatenate([self._mel[8:], self.embedder.mel(x[None])[0]])
        embedding = self.embedder.embed(self._mel[None])[0]
        self._history = np.concatenate([self._history[1:], embedding[None]])
        return self.classifier.probabilities(self._history[None])[0]

    def _block(self, block: np.ndarray) -> list[Detection]:
        p = self.scores(block)[1:]
        steady = np.minimum(p, self._previous)  # confident in two blocks running
        self._previous = p
        margin = np.where(self.now >= self._quiet_until, steady - self.thresholds, -1.0)
        best = int(np.argmax(margin))
        if margin[best] < 0:
            return []
        self._quiet_until[best] = self.now + REFRACTORY
        end = self.now - 1.5 * BLOCK / IN_RATE
        phrase = self.classifier.phrases[best]
        return [Detection(phrase, max(0.0, end - float(self.classifier.durations[best])), end,
                          self.now)]
