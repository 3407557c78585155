"""The batch-size explorer: mini-batch SGD on a linear regression, from B = 1 to the full batch.

A mini-batch of B samples gives an estimate of the full gradient,

    g_B = (1/B) Σ_{i ∈ batch} ∇ℓ_i,    E[g_B] = ∇L,    E‖g_B − ∇L‖² ≈ σ²/B,

where σ² is the variance of one sample's gradient. Small B: many cheap, noisy
steps per epoch (⌈N/B⌉ of them). Large B: few accurate ones. The explorer shows
both sides at once: the path in (w, b), the cloud of mini-batch gradients around
the full one, and the loss against epochs. Taught in 02_stochastic_and_minibatch.

Everything a slider move needs is precomputed: the shuffles of each epoch as
cumulative sums (so any B's batch sums are two subtractions) and the mini-batch
gradients at the start point (one division). The SGD loop itself is a Python loop
over two floats, a few milliseconds even for B = 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from course_utils.widgets.base import Explorer, FigureView, int_slider, log_slider

__all__ = ["batch_size_explorer"]  # make_task, sgd_path: reach them as widgets.batch_size.*

NUM_SAMPLES = 256
MAX_EPOCHS = 10
LR_RANGE = (1e-3, 1.0)
NUM_CLOUD = 500  # mini-batches drawn to measure the gradient noise
SHOWN_CLOUD = 200  # of which the cloud shows this many
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


def _check(batch_size: int, learning_rate: float, epochs: int, num_samples: int) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer) or not (
            1 <= batch_size <= num_samples):
        raise ValueError(f"batch_size must be a whole number from 1 to {num_samples} (the data "
                         f"set size), got {batch_size!r}.")
    if not isinstance(learning_rate, int | float | np.number) or not (
            LR_RANGE[0] <= learning_rate <= LR_RANGE[1]):
        raise ValueError(f"learning_rate must be a number in [{LR_RANGE[0]:g}, {LR_RANGE[1]:g}] "
                         f"(the slider's range), got {learning_rate!r}.")
    if isinstance(epochs, bool) or not isinstance(epochs, int | np.integer) or not (
            1 <= epochs <= MAX_EPOCHS):
        raise ValueError(f"epochs must be a whole number from 1 to {MAX_EPOCHS}, got {epochs!r}.")


def batch_size_explorer(batch_size: int = 16, learning_rate: float = 0.05, epochs: int = 3,
                        seed: int = 0) -> Explorer:
    """Drag the batch size B and the learning rate η; watch the path, the noise and the loss.

    Left: loss contours over (w, b), the mini-batch SGD path (blue) and full-batch
    gradient descent for the same number of epochs (grey, one step per epoch).
    Middle: 200 mini-batch gradients at the start point around the full gradient
    (★); the circle has the radius theory predicts, σ/√B (times the finite-data
    correction), and the readout compares it with the rms spread measured over 500. Right: loss above its minimum against epochs.
    """
    _check(batch_size, learning_rate, epochs, NUM_SAMPLES)
    task = make_task(NUM_SAMPLES, seed)
    n = NUM_SAMPLES
    grads = task.grads_at_start
    full_grad = grads.mean(axis=0)
    sigma = float(np.sqrt(np.mean(np.sum((grads - full_grad) ** 2, axis=1))))

    b_slider = int_slider("batch_size B", batch_size, 1, n)
    lr_slider = log_slider("learning_rate η", learning_rate, *LR_RANGE, readout_format=".3g")
    ep_slider = int_slider("epochs", epochs, 1, MAX_EPOCHS)
    presets = []
    for label, value in (("B = 1 (SGD)", 1), ("B = 32", 32), (f"B = {n} (full batch)", n)):
        button = W.Button(description=label, layout=W.Layout(width="auto"))
        button.on_click(lambda _, v=value: setattr(b_slider, "value", v))
        presets.append(button)
    readout = W.HTML()

    fig = Figure(figsize=(11, 3.5), dpi=80, layout="constrained")
    ax_path, ax_cloud, ax_loss = fig.subplots(1, 3)
    wl, bl = (-2.0, 4.0), (-3.0, 5.0)
    W_, B_ = np.meshgrid(np.linspace(*wl, 120), np.linspace(*bl, 120))
    Z = task.loss(W_, B_) - task.min_loss
    ax_path.contourf(W_, B_, Z + 1e-3, levels=np.geomspace(1e-3, Z.max(), 18), cmap="viridis",
                     alpha=0.85, norm="log")
    ax_path.plot(*task.best, marker="*", color="white", ms=13, mec="black", zorder=4)
    ax_path.plot(*task.start, "o", color="white", mec="black", ms=6, zorder=4)
    ax_path.set(xlim=wl, ylim=bl, xlabel="weight $w$", ylabel="bias $b$",
                title="mean squared error over $(w, b)$")
    (full_line,) = ax_path.plot([], [], "--o", color="#777777", lw=1.2, ms=3, label="full batch")
    (sgd_line,) = ax_path.plot([], [], "-", color="#1f77b4", lw=0.9, label="mini-batch SGD")
    (sgd_end,) = ax_path.plot([], [], "o", color="#1f77b4", mec="white", ms=7)
    (sgd_cross,) = ax_path.plot([], [], "X", color="#d62728", mec="white", ms=11)
    ax_path.legend(loc="lower left", fontsize=8)

    span = 2.5 * sigma
    ax_cloud.set(xlim=(full_grad[0] - span, full_grad[0] + span),
                 ylim=(full_grad[1] - span, full_grad[1] + span), aspect="equal",
                 xlabel="$g_w$", ylabel="$g_b$", title="mini-batch gradients at the start")
    ax_cloud.axhline(0, color="#cccccc", lw=0.8)
    ax_cloud.axvline(0, color="#cccccc", lw=0.8)
    (cloud,) = ax_cloud.plot([], [], "o", color="#1f77b4", ms=3, alpha=0.5)
    ring = Circle(full_grad, 1.0, fill=False, color="#d62728", lw=1.5)
    ax_cloud.add_patch(ring)
    (star,) = ax_cloud.plot(*full_grad, marker="*", color="#ff7f0e", ms=14, mec="black")

    (full_loss,) = ax_loss.plot([], [], "--o", color="#777777", ms=3, label="full batch")
    (sgd_loss,) = ax_loss.plot([], [], color="#1f77b4", lw=1, label="mini-batch SGD")
    ax_loss.set(yscale="log", ylim=(1e-5, 1e3), xlabel="epoch", ylabel="loss − minimum",
                title="loss against epochs")
    ax_loss.legend(loc="upper right", fontsize=8)
    view = FigureView(fig, animated=[full_line, sgd_line, sgd_end, sgd_cross, cloud, ring, star,
                                     full_loss, sgd_loss])
    shown = {"epochs": None}

    def update() -> None:
        bsize, eta, n_epochs = int(b_slider.value), float(lr_slider.value), int(ep_slider.value)
        full = shown["epochs"] != n_epochs
        if full:
            ax_loss.set_xlim(0, n_epochs)
            shown["epochs"] = n_epochs
        steps_per_epoch = math.ceil(n / bsize)
        path, diverged = sgd_path(task, bsize, eta, n_epochs)
        full_path, full_div = sgd_path(task, n, eta, n_epochs)
        sgd_line.set_data(path[:, 0], path[:, 1])
        last = path[~np.isnan(path[:, 0])][-1]
        sgd_end.set_data([last[0]], [last[1]])
        sgd_end.set_visible(diverged < 0)
        sgd_cross.set_data([last[0]], [last[1]])
        sgd_cross.set_visible(diverged >= 0)
        full_line.set_data(full_path[:, 0], full_path[:, 1])
        with np.errstate(all="ignore"):
            gap = np.clip(task.loss(path[:, 0], path[:, 1]) - task.min_loss, 1e-12, 1e12)
            full_gap = np.clip(task.loss(full_path[:, 0], full_path[:, 1]) - task.min_loss,
                               1e-12, 1e12)
        sgd_loss.set_data(np.arange(len(path)) / steps_per_epoch, gap)
        full_loss.set_data(np.arange(len(full_path)), full_gap)

        g_b = task.cloud_cumsum[:, bsize] / bsize
        cloud.set_data(g_b[:SHOWN_CLOUD, 0], g_b[:SHOWN_CLOUD, 1])
        measured = float(np.sqrt(np.mean(np.sum((g_b - full_grad) ** 2, axis=1))))
        correction = math.sqrt((n - bsize) / (n - 1)) if n > 1 else 0.0
        predicted = sigma / math.sqrt(bsize)
        ring.set_radius(max(predicted * correction, 1e-9))
        view.redraw(full=full)

        last_batch = n - (steps_per_epoch - 1) * bsize
        partial = "" if last_batch == bsize else f" (the last one holds {last_batch})"
        if diverged >= 0:
            final = f"<b style='color:#d62728'>diverged at step {diverged}</b>"
        else:
            growing = " (growing: diverging)" if gap[-1] > gap[0] else ""
            final = f"final loss − minimum <b>{gap[-1]:.2e}</b>{growing}"
        if full_div >= 0:
            full_final = f"diverged at step {full_div}"
        else:
            full_final = f"{full_gap[-1]:.2e}" + (" (growing: diverging)"
                                                  if full_gap[-1] > full_gap[0] else "")
        readout.value = (
            f"B = {bsize}: ⌈{n}/{bsize}⌉ = <b>{steps_per_epoch} steps per epoch</b>{partial}; "
            f"{n_epochs} epochs = {steps_per_epoch * n_epochs} steps at η = {eta:.3g}. "
            f"Mini-batch SGD: {final}; full batch ({n_epochs} steps): {full_final}.<br>"
            f"Gradient noise (rms distance from the full gradient): measured <b>{measured:.3g}</b>"
            f"; theory σ/√B = {sigma:.3g}/√{bsize} = {predicted:.3g}, × √((N−B)/(N−1)) = "
            f"{predicted * correction:.3g} for batches drawn without replacement.")

    for control in (b_slider, lr_slider, ep_slider):
        control.observe(lambda _: update(), names="value")
    update()
    return Explorer([W.HBox([b_slider, lr_slider, ep_slider]), W.HBox(presets)], view, readout,
                    update)
