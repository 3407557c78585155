"""Mini-batch SGD on a one-feature linear regression, fast enough for a slider.

A mini-batch of B samples gives an estimate of the full gradient,

    g_B = (1/B) Σ_{i ∈ batch} ∇ℓ_i,    E[g_B] = ∇L,    E‖g_B − ∇L‖² ≈ σ²/B,

where σ² is the variance of one sample's gradient. ``make_task`` draws the data and
precomputes everything a change of B needs: the shuffles of each epoch as cumulative
sums (so any B's batch means are two subtractions) and each sample's gradient at the
start point. ``sgd_path`` then runs mini-batch SGD as a Python loop over two floats:
a few milliseconds even for B = 1.

Numerics only (NumPy). Taught in 02_stochastic_and_minibatch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["RegressionTask", "make_task", "sgd_path", "NUM_SAMPLES", "MAX_EPOCHS", "NUM_CLOUD"]

NUM_SAMPLES = 256
MAX_EPOCHS = 10
NUM_CLOUD = 500  # mini-batches drawn to measure the gradient noise
_BLOWUP = 1e6  # |w| or |b| beyond this counts as diverged


@dataclass(frozen=True)
class RegressionTask:
    """A fixed synthetic regression ``y = w·x + b + noise`` and what the explorer precomputes."""

    x: np.ndarray
    y: np.ndarray
    start: tuple[float, float]
    moments: dict[str, float]  # mean of x², x, x·y, y, y² over the data set
    best: tuple[float, float]  # least-squares (w, b)
    min_loss: float
    cumsums: dict[str, np.ndarray]  # per epoch, cumulative sums over the shuffled data
    grads_at_start: np.ndarray  # (N, 2): each sample's gradient at the start
    cloud_cumsum: np.ndarray  # (NUM_CLOUD, N + 1, 2): cumulative sums over random orders

    def loss(self, w: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Mean squared error over the whole data set, for arrays of (w, b)."""
        m = self.moments
        return (w * w * m["xx"] + 2 * w * b * m["x"] + b * b - 2 * w * m["xy"] - 2 * b * m["y"]
                + m["yy"])


def make_task(num_samples: int = NUM_SAMPLES, seed: int = 0, epochs: int = MAX_EPOCHS
              ) -> RegressionTask:
    """Draw the data (x ~ N(1, 1), y = 2x − 1 + N(0, 0.5²)) and precompute the shuffles."""
    rng = np.random.default_rng(seed)
    x = 1.0 + rng.normal(size=num_samples)
    y = 2.0 * x - 1.0 + 0.5 * rng.normal(size=num_samples)
    moments = {"xx": float(np.mean(x * x)), "x": float(np.mean(x)), "xy": float(np.mean(x * y)),
               "y": float(np.mean(y)), "yy": float(np.mean(y * y))}
    design = np.stack([x, np.ones_like(x)], axis=1)
    best = np.linalg.lstsq(design, y, rcond=None)[0]
    orders = np.stack([rng.permutation(num_samples) for _ in range(epochs)])

    def cumsum(values: np.ndarray) -> np.ndarray:
        out = np.zeros((epochs, num_samples + 1))
        out[:, 1:] = np.cumsum(values[orders], axis=1)
        return out

    cumsums = {"xx": cumsum(x * x), "x": cumsum(x), "xy": cumsum(x * y), "y": cumsum(y)}
    start = (-1.0, 3.5)
    residual = start[0] * x + start[1] - y
    grads = 2 * residual[:, None] * design  # per-sample gradient of (w·x + b − y)²
    cloud_orders = np.argsort(rng.random((NUM_CLOUD, num_samples)), axis=1)
    cloud = np.zeros((NUM_CLOUD, num_samples + 1, 2))
    cloud[:, 1:] = np.cumsum(grads[cloud_orders], axis=1)
    min_loss = float(np.mean((design @ best - y) ** 2))
    return RegressionTask(x, y, start, moments, (float(best[0]), float(best[1])), min_loss,
                          cumsums, grads, cloud)


def sgd_path(task: RegressionTask, batch_size: int, learning_rate: float, epochs: int
             ) -> tuple[np.ndarray, int]:
    """Mini-batch SGD from ``task.start``: the path, shape ``(steps + 1, 2)``, and where it
    diverged (-1 if never). Each epoch uses its own fixed shuffle; the last batch may be smaller.
    """
    n = len(task.x)
    bounds = np.r_[np.arange(0, n, batch_size), n]
    counts = np.diff(bounds).astype(float)
    sums = {k: (c[:epochs, bounds[1:]] - c[:epochs, bounds[:-1]]) / counts
            for k, c in task.cumsums.items()}  # per-batch means, shape (epochs, batches)
    mxx, mx, mxy, my = (sums[k].ravel().tolist() for k in ("xx", "x", "xy", "y"))
    w, b = task.start
    ws, bs = [w], [b]
    two_eta = 2.0 * learning_rate
    diverged = -1
    for k in range(len(mxx)):
        gw = mxx[k] * w + mx[k] * b - mxy[k]
        gb = mx[k] * w + b - my[k]
        w, b = w - two_eta * gw, b - two_eta * gb
        if not (abs(w) < _BLOWUP and abs(b) < _BLOWUP):
            diverged = k + 1
            break
        ws.append(w)
        bs.append(b)
    path = np.full((len(mxx) + 1, 2), np.nan)
    path[: len(ws), 0], path[: len(ws), 1] = ws, bs
    return path, diverged


