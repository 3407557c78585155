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

Like every explorer, three steps: ``compute`` (pure: both runs and the gradient noise for
one setting, a ``BatchSizeData``), draw (set the moving artists) and ``describe`` (the
readout).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from course_utils import checks
from course_utils.minibatch import MAX_EPOCHS, NUM_SAMPLES, RegressionTask, make_task, sgd_path
from course_utils.widgets.base import Explorer, FigureView, Loop, int_slider, log_slider

__all__ = ["batch_size_explorer"]

LR_RANGE = (1e-3, 1.0)
SHOWN_CLOUD = 200  # of the mini-batch gradients drawn, the cloud shows this many


def _check(batch_size: int, learning_rate: float, epochs: int, num_samples: int) -> None:
    checks.whole("batch_size (at most the data set size)", batch_size, low=1, high=num_samples)
    checks.number("learning_rate (the slider's range)", learning_rate, low=LR_RANGE[0],
                  high=LR_RANGE[1])
    checks.whole("epochs", epochs, low=1, high=MAX_EPOCHS)


@dataclass(frozen=True)
class BatchSizeData:
    """What one setting of the batch-size explorer computes (``explorer.data``).

    ``path``/``full_path`` are the (w, b) points of mini-batch SGD (one per step) and of
    full-batch gradient descent (one per epoch); ``diverged``/``full_diverged`` the step
    where each blew up (-1: never); ``gap``/``full_gap`` the loss above its minimum at
    each point. ``cloud`` holds the mini-batch gradients at the start, ``measured`` their
    rms distance from the full gradient, ``predicted`` the theory σ/√B and ``correction``
    the without-replacement factor √((N−B)/(N−1)).
    """

    batch_size: int
    learning_rate: float
    epochs: int
    num_samples: int
    steps_per_epoch: int
    last_batch: int  # the size of each epoch's last mini-batch
    path: np.ndarray
    diverged: int
    full_path: np.ndarray
    full_diverged: int
    gap: np.ndarray
    full_gap: np.ndarray
    cloud: np.ndarray
    sigma: float
    measured: float
    predicted: float
    correction: float


def compute(task: RegressionTask, batch_size: int, learning_rate: float, epochs: int
            ) -> BatchSizeData:
    """Mini-batch SGD and full-batch GD for one setting, and the gradient noise at batch size B."""
    n = len(task.x)
    grads = task.grads_at_start
    full_grad = grads.mean(axis=0)
    sigma = float(np.sqrt(np.mean(np.sum((grads - full_grad) ** 2, axis=1))))
    steps_per_epoch = math.ceil(n / batch_size)
    path, diverged = sgd_path(task, batch_size, learning_rate, epochs)
    full_path, full_div = sgd_path(task, n, learning_rate, epochs)
    with np.errstate(all="ignore"):
        gap = np.clip(task.loss(path[:, 0], path[:, 1]) - task.min_loss, 1e-12, 1e12)
        full_gap = np.clip(task.loss(full_path[:, 0], full_path[:, 1]) - task.min_loss,
                           1e-12, 1e12)
    g_b = task.cloud_cumsum[:, batch_size] / batch_size
    measured = float(np.sqrt(np.mean(np.sum((g_b - full_grad) ** 2, axis=1))))
    correction = math.sqrt((n - batch_size) / (n - 1)) if n > 1 else 0.0
    return BatchSizeData(batch_size, learning_rate, epochs, n, steps_per_epoch,
                         n - (steps_per_epoch - 1) * batch_size, path, diverged, full_path,
                         full_div, gap, full_gap, g_b, sigma, measured,
                         sigma / math.sqrt(batch_size), correction)


def describe(data: BatchSizeData) -> str:
    """The readout: steps per epoch, where each run ends, measured against predicted noise."""
    n, bsize, spe = data.num_samples, data.batch_size, data.steps_per_epoch
    gap, full_gap = data.gap, data.full_gap
    partial = "" if data.last_batch == bsize else f" (the last one holds {data.last_batch})"
    if data.diverged >= 0:
        final = f"<b style='color:#d62728'>diverged at step {data.diverged}</b>"
    else:
        growing = " (growing: diverging)" if gap[-1] > gap[0] else ""
        final = f"final loss − minimum <b>{gap[-1]:.2e}</b>{growing}"
    if data.full_diverged >= 0:
        full_final = f"diverged at step {data.full_diverged}"
    else:
        full_final = f"{full_gap[-1]:.2e}" + (" (growing: diverging)"
                                              if full_gap[-1] > full_gap[0] else "")
    return (
        f"B = {bsize}: ⌈{n}/{bsize}⌉ = <b>{spe} steps per epoch</b>{partial}; "
        f"{data.epochs} epochs = {spe * data.epochs} steps at η = {data.learning_rate:.3g}. "
        f"Mini-batch SGD: {final}; full batch ({data.epochs} steps): {full_final}.<br>"
        f"Gradient noise (rms distance from the full gradient): measured "
        f"<b>{data.measured:.3g}</b>; theory σ/√B = {data.sigma:.3g}/√{bsize} = "
        f"{data.predicted:.3g}, × √((N−B)/(N−1)) = {data.predicted * data.correction:.3g} "
        f"for batches drawn without replacement.")


def batch_size_explorer(batch_size: int = 16, learning_rate: float = 0.05, epochs: int = 3,
                        seed: int = 0) -> Explorer:
    """Drag the batch size B and the learning rate η; watch the path, the noise and the loss.

    Left: loss contours over (w, b), the mini-batch SGD path (blue) and full-batch
    gradient descent for the same number of epochs (grey, one step per epoch).
    Middle: 200 mini-batch gradients at the start point around the full gradient
    (★); the circle has the radius theory predicts, σ/√B (times the finite-data
    correction), and the readout compares it with the rms spread measured over 500.
    Right: loss above its minimum against epochs. Controls (by key in
    ``explorer.controls``): ``batch_size``, ``learning_rate``, ``epochs``;
    ``explorer.data`` is the last ``BatchSizeData``.
    """
    _check(batch_size, learning_rate, epochs, NUM_SAMPLES)
    task = make_task(NUM_SAMPLES, seed)
    n = NUM_SAMPLES
    grads = task.grads_at_start
    full_grad = grads.mean(axis=0)
    sigma = float(np.sqrt(np.mean(np.sum((grads - full_grad) ** 2, axis=1))))

    b_slider = int_slider("batch_size B", batch_size, 1, n, key="batch_size")
    lr_slider = log_slider("learning_rate η", learning_rate, *LR_RANGE, readout_format=".3g",
                           key="learning_rate")
    ep_slider = int_slider("epochs", epochs, 1, MAX_EPOCHS, key="epochs")
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
    # The epoch axis changes with the epochs slider: drawn over the still background (an
    # underlay) rather than as part of it, so a new number of epochs costs no full draw.
    view = FigureView(fig, underlay=[ax_loss.xaxis],
                      animated=[full_line, sgd_line, sgd_end, sgd_cross, cloud, ring, star,
                                full_loss, sgd_loss])
    state = {"epochs": None}

    def draw(data: BatchSizeData) -> None:
        path, full_path = data.path, data.full_path
        sgd_line.set_data(path[:, 0], path[:, 1])
        last = path[~np.isnan(path[:, 0])][-1]
        sgd_end.set_data([last[0]], [last[1]])
        sgd_end.set_visible(data.diverged < 0)
        sgd_cross.set_data([last[0]], [last[1]])
        sgd_cross.set_visible(data.diverged >= 0)
        full_line.set_data(full_path[:, 0], full_path[:, 1])
        sgd_loss.set_data(np.arange(len(path)) / data.steps_per_epoch, data.gap)
        full_loss.set_data(np.arange(len(full_path)), data.full_gap)
        cloud.set_data(data.cloud[:SHOWN_CLOUD, 0], data.cloud[:SHOWN_CLOUD, 1])
        ring.set_radius(max(data.predicted * data.correction, 1e-9))
        new_axis = state["epochs"] != data.epochs
        if new_axis:
            ax_loss.set_xlim(0, data.epochs)
            state["epochs"] = data.epochs
        view.redraw(underlay=new_axis)

    loop = Loop(lambda: compute(task, int(b_slider.value), float(lr_slider.value),
                                int(ep_slider.value)), draw, describe, readout)
    loop.watch(b_slider, lr_slider, ep_slider)
    loop()
    return Explorer([W.HBox([b_slider, lr_slider, ep_slider]), W.HBox(presets)], view, readout,
                    loop)
