"""The classifier's network: a small ensemble of softmax networks with one hidden layer,
trained with Adam in numpy, reading its examples a batch at a time."""
from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from ..hearing.embedding import Classifier


def fit(x: np.ndarray, y: np.ndarray, phrases: tuple[str, ...], durations: np.ndarray,
        rng: np.random.Generator, *, members: int = 3) -> Classifier:
    """An ensemble of networks, each from its own start and its own resample of the data."""
    mean, scale = column_stats(x)
    x -= mean  # in place: the examples are the largest thing held while learning
    x /= scale
    # One thread for the matrix products: the listening keeps the other core, and threads
    # that wait for each other on a busy machine took three times as long.
    with threadpool_limits(1, user_api="blas"):
        nets = [fit_one(x, y, len(phrases) + 1, rng, pick=rng.integers(len(y), size=len(y)))
                for _ in range(members)]
    w1, b1, w2, b2 = (np.stack(p) for p in zip(*nets))
    return Classifier(phrases, mean.astype(np.float32), scale.astype(np.float32), w1, b1, w2, b2,
                      durations=durations.astype(np.float32))


def column_stats(x: np.ndarray, rows: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """Each column's mean and standard deviation (+ 1e-3), summed in float64 a few thousand
    rows at a time: numpy's own would make a float64 copy of all of ``x`` (over 1 GB)."""
    total = np.zeros(x.shape[1], np.float64)
    for i in range(0, len(x), rows):
        total += x[i:i + rows].sum(axis=0, dtype=np.float64)
    mean = total / len(x)
    spread = np.zeros(x.shape[1], np.float64)
    for i in range(0, len(x), rows):
        spread += ((x[i:i + rows] - mean) ** 2).sum(axis=0)
    return mean.astype(np.float32), (np.sqrt(spread / len(x)) + 1e-3).astype(np.float32)


def fit_one(x: np.ndarray, y: np.ndarray, k: int, rng: np.random.Generator, *,
            pick: np.ndarray | None = None, hidden: int = 64, epochs: int = 30
            ) -> list[np.ndarray]:
    """One softmax network trained with Adam on the rows ``pick`` of ``x`` (all, by default;
    rows are gathered a batch at a time, never copied all at once); classes weighted so each
    counts the same."""
    pick = np.arange(len(y)) if pick is None else pick
    counts = np.bincount(y[pick], minlength=k).astype(np.float32)
    weight = (len(pick) / (k * np.maximum(counts, 1)))[y]
    params = [rng.normal(0, np.sqrt(2 / x.shape[1]), (x.shape[1], hidden)).astype(np.float32),
              np.zeros(hidden, np.float32),
              rng.normal(0, np.sqrt(1 / hidden), (hidden, k)).astype(np.float32),
              np.zeros(k, np.float32)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    step, lr, decay = 0, 1e-3, 1e-4
    for _ in range(epochs):
        order = pick[rng.permutation(len(pick))]
        for i in range(0, len(order), 256):
            batch = order[i:i + 256]
            xb, yb, wb = x[batch].astype(np.float32), y[batch], weight[batch]
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
