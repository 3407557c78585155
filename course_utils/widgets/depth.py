"""The depth explorer: per-layer gradient norms over depth, activation and initializer.

For a deep MLP ``h_l = φ(h_{l-1} W_l)`` the gradient that reaches layer l has
passed through every layer above it, picking up one factor ``W_{l+1}ᵀ`` and one
``φ'(z_l)`` per layer. When those factors are below 1 on average the norms
``‖∂L/∂W_l‖`` fall geometrically from the output toward the input (vanishing);
above 1 they grow (exploding). The explorer shows, for the configuration you
choose: the norm of each layer's gradient (log scale), the spread of each
layer's activations on the forward pass, and how the ratio ‖g₁‖/‖g_out‖ of the
first layer's gradient norm to the output layer's changes with depth.

Nothing is trained or differentiated on a slider move: the numbers come from a
``gradients.DepthGrid`` precomputed once (``gradients.depth_grid``, one
``tf.GradientTape`` pass per configuration, a second or two for all 304), so
this module imports no TensorFlow. Like every explorer, three steps: ``compute`` (pure:
the grid's numbers for one configuration, a ``DepthData``), draw and ``describe``.
Taught in 08_initialization_activations_normalization.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from course_utils import checks
from course_utils.gradient_flow import FLOOR, HEALTHY, verdict
from course_utils.widgets.base import (
    Explorer,
    FigureView,
    Loop,
    dropdown,
    int_slider,
    preset_buttons,
)

__all__ = ["depth_explorer"]

_REQUIRED = ("depths", "activations", "initializers", "grad_norms", "activation_stds")
_PRESETS = (
    ("sigmoid + N(0, 1)", "sigmoid", "RandomNormal(1.0)"),
    ("sigmoid + Glorot", "sigmoid", "GlorotUniform"),
    ("tanh + Glorot", "tanh", "GlorotUniform"),
    ("ReLU + He", "relu", "HeNormal"),
    ("ReLU + N(0, 1)", "relu", "RandomNormal(1.0)"),
    ("ReLU + N(0, 0.01)", "relu", "RandomNormal(0.01)"),
)
_REFERENCE = ("relu", "HeNormal")  # drawn in grey at every depth, when the grid has it


def _check_results(results: Any) -> None:
    missing = [name for name in _REQUIRED if not hasattr(results, name)]
    if missing:
        raise ValueError(
            "results must be what gradients.depth_grid(x, y) returns (a DepthGrid); got "
            f"{type(results).__name__}, which lacks {missing}."
        )


def _norms(results: Any, activation: str, initializer: str, depth: int) -> np.ndarray:
    """‖∂L/∂W_l‖ for the ``depth + 1`` layers (hidden ones, then the output layer)."""
    a, i = results.activations.index(activation), results.initializers.index(initializer)
    row = int(np.flatnonzero(np.asarray(results.depths) == depth)[0])
    return np.asarray(results.grad_norms, dtype=float)[a, i, row, : depth + 1]


def _stds(results: Any, activation: str, initializer: str, depth: int) -> np.ndarray:
    """The standard deviation of each of the ``depth`` hidden layers' outputs."""
    a, i = results.activations.index(activation), results.initializers.index(initializer)
    row = int(np.flatnonzero(np.asarray(results.depths) == depth)[0])
    return np.asarray(results.activation_stds, dtype=float)[a, i, row, :depth]


def _ratios(results: Any, activation: str, initializer: str) -> np.ndarray:
    """‖g₁‖/‖g_out‖ at every depth of the grid (NaN where the output's gradient vanished)."""
    out = []
    for d in results.depths:
        n = _norms(results, activation, initializer, int(d))
        out.append(n[0] / n[-1] if n[-1] > FLOOR else np.nan)
    return np.array(out)


@dataclass(frozen=True)
class DepthData:
    """One configuration's numbers, looked up in the grid (``explorer.data``).

    ``norms``: ‖∂L/∂W_l‖ for the hidden layers then the output layer; ``reference``: the
    same for ReLU + He at this depth (``None`` when the grid lacks it); ``stds``: the
    hidden layers' output spreads; ``ratios``: ‖g₁‖/‖g_out‖ at every depth of the grid,
    ``ratio`` at this one; ``verdict``: ``"healthy"``, ``"vanishing"``, ``"exploding"``
    or ``"dead"``, and ``why`` the sentence that explains it.
    """

    depth: int
    activation: str
    initializer: str
    norms: np.ndarray
    reference: np.ndarray | None
    stds: np.ndarray
    depths: np.ndarray
    ratios: np.ndarray
    ratio: float
    verdict: str
    why: str


def compute(results: Any, depth: int, activation: str, initializer: str) -> DepthData:
    """Look up one configuration in a ``gradients.DepthGrid`` and classify its gradient flow."""
    norms = _norms(results, activation, initializer, depth)
    has_ref = _REFERENCE[0] in results.activations and _REFERENCE[1] in results.initializers
    depths = np.asarray(results.depths, dtype=int)
    ratios = _ratios(results, activation, initializer)
    label, why = verdict(norms)
    return DepthData(depth, activation, initializer, norms,
                     _norms(results, *_REFERENCE, depth) if has_ref else None,
                     _stds(results, activation, initializer, depth), depths, ratios,
                     float(ratios[int(np.flatnonzero(depths == depth)[0])]), label, why)


def describe(data: DepthData) -> str:
    """The readout: both ends' gradient norms, their ratio, the verdict, the spreads."""
    colour = {"healthy": "#2ca02c", "vanishing": "#d62728", "exploding": "#d62728",
              "dead": "#7f7f7f"}[data.verdict]
    norms, stds, here = data.norms, data.stds, data.ratio
    ratio_text = f"{here:.2e}" if np.isfinite(here) else "undefined (0/0)"
    return (
        f"<b>{data.depth} hidden layers · φ = {data.activation} · {data.initializer}</b>: "
        f"‖g₁‖ = {norms[0]:.2e}, ‖g_out‖ = {norms[-1]:.2e}, ratio ‖g₁‖/‖g_out‖ = "
        f"{ratio_text} → <b style='color:{colour}'>{data.verdict}</b>: {data.why}<br>"
        f"Activation spread: first hidden layer {stds[0]:.2e}, last {stds[-1]:.2e}."
    )


def depth_explorer(results: Any = None, depth: int | None = None, activation: str = "sigmoid",
                   initializer: str = "RandomNormal(1.0)") -> Explorer:
    """Choose depth, activation φ and kernel_initializer; see where the gradient goes.

    ``results`` is a ``gradients.DepthGrid``; without it the explorer computes
    the default grid on 256 digits (a few seconds, TensorFlow is imported then).
    ``depth=None`` starts at 10 hidden layers (or mid-grid if 10 is not in it).
    Left: ‖∂L/∂W_l‖ per layer, the last point being the output layer, with
    ReLU + He at the same depth in grey for reference. Middle: the standard
    deviation of each hidden layer's outputs. Right: ‖g₁‖/‖g_out‖ against depth,
    the shaded band being "healthy" (0.1 to 10). Controls (by key in
    ``explorer.controls``): ``depth``, ``activation``, ``initializer``;
    ``explorer.data`` is the last ``DepthData``.
    """
    if results is None:
        from course_utils import data, gradients

        split = data.load_digits(images=False)
        results = gradients.depth_grid(split.x_train[:256], split.y_train[:256])
    _check_results(results)
    depths = np.asarray(results.depths, dtype=int)
    if depth is None:
        depth = 10 if 10 in depths else int(depths[len(depths) // 2])
    whole = not isinstance(depth, bool) and isinstance(depth, int | np.integer)
    checks.choice("depth", depth if whole else str(depth), depths.tolist())
    checks.choice("activation", activation, results.activations)
    checks.choice("initializer", initializer, results.initializers)
    if list(depths) != list(range(depths[0], depths[-1] + 1)):
        raise ValueError(f"the grid's depths must be consecutive for the slider, got "
                         f"{depths.tolist()}.")

    deepest = int(depths.max())
    grads = np.asarray(results.grad_norms, dtype=float)
    spreads = np.asarray(results.activation_stds, dtype=float)

    def shown(values: np.ndarray) -> np.ndarray:
        values = np.where(np.isfinite(values), values, np.nan)
        return np.maximum(values, FLOOR)

    finite = grads[np.isfinite(grads) & (grads > FLOOR)]
    top = max(10.0, float(finite.max()) * 5) if finite.size else 10.0
    stds_finite = spreads[np.isfinite(spreads) & (spreads > 0)]
    std_low = max(FLOOR, float(stds_finite.min()) / 3) if stds_finite.size else 1e-6
    std_high = float(stds_finite.max()) * 3 if stds_finite.size else 10.0

    d_slider = int_slider("depth (hidden layers)", int(depth), int(depths[0]), deepest,
                          key="depth")
    a_drop = dropdown("activation φ", results.activations, activation, key="activation")
    i_drop = dropdown("kernel_initializer", results.initializers, initializer, key="initializer")
    readout = W.HTML()

    fig = Figure(figsize=(11, 3.6), dpi=80, layout="constrained")
    ax_g, ax_s, ax_r = fig.subplots(1, 3)
    layer_x = np.arange(1, deepest + 2)
    ax_g.axhspan(FLOOR / 3, FLOOR * 3, color="0.85", lw=0)
    ax_g.text(1, FLOOR * 6, "≤ 1e-20: vanished (or exactly 0)", fontsize=8, color="0.35")
    ax_g.set(xlim=(0.5, deepest + 1.5), ylim=(FLOOR / 3, top), yscale="log",
             xlabel="layer l (1 = next to the input; last = output)", ylabel="‖∂L/∂W_l‖",
             title="gradient norm per layer")
    (ref_line,) = ax_g.plot([], [], "--", color="0.6", lw=1.5, label="ReLU + He, same depth")
    (g_line,) = ax_g.plot([], [], "-o", color="#1f77b4", ms=4, lw=2, label="your choice")
    (out_dot,) = ax_g.plot([], [], "s", color="#d62728", ms=8, label="output layer")
    ax_g.legend(fontsize=7, loc="upper right")

    ax_s.set(xlim=(0.5, deepest + 0.5), ylim=(std_low, std_high), yscale="log",
             xlabel="hidden layer l", ylabel="std of the layer's outputs",
             title="activation spread (forward pass)")
    (s_line,) = ax_s.plot([], [], "-o", color="#2ca02c", ms=4, lw=2)

    ratio_all = np.concatenate([_ratios(results, a, i) for a in results.activations
                                for i in results.initializers])
    ratio_ok = ratio_all[np.isfinite(ratio_all) & (ratio_all > 0)]
    r_low = max(FLOOR, float(ratio_ok.min()) / 3) if ratio_ok.size else 1e-6
    r_high = max(100.0, float(ratio_ok.max()) * 3) if ratio_ok.size else 1e6
    ax_r.axhspan(*HEALTHY, color="#2ca02c", alpha=0.12, lw=0)
    ax_r.axhline(1.0, color="0.6", lw=0.8)
    ax_r.text(depths[0], HEALTHY[1] * 1.3, "healthy: 0.1 to 10", fontsize=8, color="#2ca02c")
    ax_r.set(xlim=(depths[0] - 0.5, deepest + 0.5), ylim=(r_low, r_high), yscale="log",
             xlabel="depth (hidden layers)", ylabel="‖g₁‖ / ‖g_out‖",
             title="first-to-last ratio vs depth")
    (r_line,) = ax_r.plot([], [], "-", color="#9467bd", lw=2)
    (r_dot,) = ax_r.plot([], [], "o", color="#9467bd", ms=9, mec="black")
    view = FigureView(fig, animated=[ref_line, g_line, out_dot, s_line, r_line, r_dot])

    def draw(data: DepthData) -> None:
        d = data.depth
        g_line.set_data(layer_x[: d + 1], shown(data.norms))
        out_dot.set_data([d + 1], shown(data.norms[-1:]))
        if data.reference is not None:
            ref_line.set_data(layer_x[: d + 1], shown(data.reference))
        s_line.set_data(np.arange(1, d + 1), np.maximum(data.stds, std_low))
        r_line.set_data(data.depths, np.maximum(data.ratios, r_low))
        r_dot.set_data([d], [max(data.ratio, r_low)] if np.isfinite(data.ratio) else [np.nan])
        view.redraw()

    loop = Loop(lambda: compute(results, int(d_slider.value), a_drop.value, i_drop.value),
                draw, describe, readout)
    loop.watch(d_slider, a_drop, i_drop)
    presets = preset_buttons(loop, [(label, [(a_drop, act), (i_drop, init)])
                                    for label, act, init in _PRESETS
                                    if act in results.activations and init in results.initializers])
    loop()
    rows: list[W.Widget] = [W.HBox([d_slider, a_drop, i_drop])]
    if presets:
        rows.append(W.HBox([W.Label("presets:"), *presets]))
    return Explorer(rows, view, readout, loop)
