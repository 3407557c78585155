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
this module imports no TensorFlow. Taught in 08_initialization_activations_normalization.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from course_utils.widgets.base import Explorer, FigureView, dropdown, int_slider

__all__ = ["depth_explorer", "verdict"]

FLOOR = 1e-20  # gradient norms below this (float32 underflow included) are drawn here
HEALTHY = (0.1, 10.0)  # ‖g₁‖/‖g_out‖ within this band: every layer gets a similar signal
EXPLODING = 1e3  # any layer's gradient norm above this: one step throws the weights away
TINY = 1e-6  # every layer's gradient norm below this: nothing learns, whatever the ratio
_REQUIRED = ("depths", "activations", "initializers", "grad_norms", "activation_stds")
_PRESETS = (
    ("sigmoid + N(0, 1)", "sigmoid", "RandomNormal(1.0)"),
    ("sigmoid + Glorot", "sigmoid", "GlorotUniform"),
    ("tanh + Glorot", "tanh", "GlorotUniform"),
    ("ReLU + He", "relu", "HeNormal"),
    ("ReLU + N(0, 1)", "relu", "RandomNormal(1.0)"),
    ("ReLU + N(0, 0.01)", "relu", "RandomNormal(0.01)"),
)


def verdict(norms: np.ndarray) -> tuple[str, str]:
    """Classify per-layer gradient norms (first hidden ... output) as a (label, explanation).

    Labels: ``"dead"`` (the output layer's gradient is zero: nothing flows),
    ``"exploding"`` (some norm above 1e3, or ‖g₁‖/‖g_out‖ above 10),
    ``"vanishing"`` (every norm below 1e-6, or the ratio below 0.1) or ``"healthy"``.
    """
    norms = np.asarray(norms, dtype=float)
    if norms.ndim != 1 or norms.size < 2:
        raise ValueError(f"norms must be a 1-D array of at least 2 layers' norms, got shape "
                         f"{norms.shape}.")
    first, last = norms[0], norms[-1]
    if not np.all(np.isfinite(norms)):
        return "exploding", "some gradient norms are inf or NaN: the numbers overflowed."
    if last <= FLOOR:
        return "dead", ("every gradient is (numerically) zero: the activations died out on the "
                        "forward pass, so nothing reaches the loss and nothing comes back.")
    ratio = first / last
    if norms.max() > EXPLODING:
        return "exploding", (f"gradient norms reach {norms.max():.1e}: one SGD step would throw "
                             "the weights far away, and the loss soon becomes inf, then NaN.")
    if norms.max() < TINY:
        return "vanishing", (f"every layer's gradient is below {TINY:g}: the activations shrink "
                             "toward zero on the forward pass (see their spread), so the whole "
                             "network barely learns.")
    if ratio > HEALTHY[1]:
        return "exploding", (f"the first layer gets {ratio:.3g}× more gradient than the output "
                             "layer: the signal grows on its way back.")
    if ratio < HEALTHY[0]:
        times = "more than 10²⁰" if first <= FLOOR else f"{1 / ratio:.3g}"
        return "vanishing", (f"the first layer gets {times}× less gradient than the output "
                             "layer. Under plain SGD it moves that much more slowly; Adam "
                             "rescales each weight's step, but a change in the first layer "
                             "still reaches the output shrunk by the same product of factors "
                             "(look at the activation spread).")
    return "healthy", ("every layer gets a gradient of the same order: they all learn at a "
                       "similar pace.")


def _check_results(results: Any) -> None:
    missing = [name for name in _REQUIRED if not hasattr(results, name)]
    if missing:
        raise ValueError(
            "results must be what gradients.depth_grid(x, y) returns (a DepthGrid); got "
            f"{type(results).__name__}, which lacks {missing}."
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
    the shaded band being "healthy" (0.1 to 10).
    """
    if results is None:
        from course_utils import data, gradients

        split = data.load_digits(images=False)
        results = gradients.depth_grid(split.x_train[:256], split.y_train[:256])
    _check_results(results)
    depths = np.asarray(results.depths, dtype=int)
    if depth is None:
        depth = 10 if 10 in depths else int(depths[len(depths) // 2])
    if isinstance(depth, bool) or not isinstance(depth, int | np.integer) or depth not in depths:
        raise ValueError(f"depth must be one of the grid's depths {depths.tolist()}, got {depth!r}.")
    if activation not in results.activations:
        raise ValueError(f"activation must be one of {list(results.activations)}, got "
                         f"{activation!r}.")
    if initializer not in results.initializers:
        raise ValueError(f"initializer must be one of {list(results.initializers)}, got "
                         f"{initializer!r}.")
    if list(depths) != list(range(depths[0], depths[-1] + 1)):
        raise ValueError(f"the grid's depths must be consecutive for the slider, got "
                         f"{depths.tolist()}.")

    deepest = int(depths.max())
    grads = np.asarray(results.grad_norms, dtype=float)
    spreads = np.asarray(results.activation_stds, dtype=float)

    def norms_of(act: str, init: str, d: int) -> np.ndarray:
        a, i = results.activations.index(act), results.initializers.index(init)
        return grads[a, i, int(np.flatnonzero(depths == d)[0]), : d + 1]

    def stds_of(act: str, init: str, d: int) -> np.ndarray:
        a, i = results.activations.index(act), results.initializers.index(init)
        return spreads[a, i, int(np.flatnonzero(depths == d)[0]), :d]

    def ratios_of(act: str, init: str) -> np.ndarray:
        out = []
        for d in depths:
            n = norms_of(act, init, int(d))
            out.append(n[0] / n[-1] if n[-1] > FLOOR else np.nan)
        return np.array(out)

    def shown(values: np.ndarray) -> np.ndarray:
        values = np.where(np.isfinite(values), values, np.nan)
        return np.maximum(values, FLOOR)

    finite = grads[np.isfinite(grads) & (grads > FLOOR)]
    top = max(10.0, float(finite.max()) * 5) if finite.size else 10.0
    stds_finite = spreads[np.isfinite(spreads) & (spreads > 0)]
    std_low = max(FLOOR, float(stds_finite.min()) / 3) if stds_finite.size else 1e-6
    std_high = float(stds_finite.max()) * 3 if stds_finite.size else 10.0

    d_slider = int_slider("depth (hidden layers)", int(depth), int(depths[0]), deepest)
    a_drop = dropdown("activation φ", results.activations, activation)
    i_drop = dropdown("kernel_initializer", results.initializers, initializer)
    presets = []
    for label, act, init in _PRESETS:
        if act in results.activations and init in results.initializers:
            button = W.Button(description=label, layout=W.Layout(width="auto"))

            def _apply(_: Any, act: str = act, init: str = init) -> None:
                a_drop.value, i_drop.value = act, init

            button.on_click(_apply)
            presets.append(button)
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

    ratio_all = np.concatenate([ratios_of(a, i) for a in results.activations
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
    has_ref = "relu" in results.activations and "HeNormal" in results.initializers
    view = FigureView(fig, animated=[ref_line, g_line, out_dot, s_line, r_line, r_dot])

    def update() -> None:
        d, act, init = int(d_slider.value), a_drop.value, i_drop.value
        norms = norms_of(act, init, d)
        g_line.set_data(layer_x[: d + 1], shown(norms))
        out_dot.set_data([d + 1], shown(norms[-1:]))
        if has_ref:
            ref_line.set_data(layer_x[: d + 1], shown(norms_of("relu", "HeNormal", d)))
        s_line.set_data(np.arange(1, d + 1), np.maximum(stds_of(act, init, d), std_low))
        ratios = ratios_of(act, init)
        r_line.set_data(depths, np.maximum(ratios, r_low))
        here = ratios[int(np.flatnonzero(depths == d)[0])]
        r_dot.set_data([d], [max(here, r_low)] if np.isfinite(here) else [np.nan])
        view.redraw()
        label, why = verdict(norms)
        colour = {"healthy": "#2ca02c", "vanishing": "#d62728", "exploding": "#d62728",
                  "dead": "#7f7f7f"}[label]
        stds = stds_of(act, init, d)
        ratio_text = f"{here:.2e}" if np.isfinite(here) else "undefined (0/0)"
        readout.value = (
            f"<b>{d} hidden layers · φ = {act} · {init}</b>: ‖g₁‖ = {norms[0]:.2e}, "
            f"‖g_out‖ = {norms[-1]:.2e}, ratio ‖g₁‖/‖g_out‖ = {ratio_text} → "
            f"<b style='color:{colour}'>{label}</b>: {why}<br>"
            f"Activation spread: first hidden layer {stds[0]:.2e}, last {stds[-1]:.2e}."
        )

    for control in (d_slider, a_drop, i_drop):
        control.observe(lambda _: update(), names="value")
    update()
    rows: list[W.Widget] = [W.HBox([d_slider, a_drop, i_drop])]
    if presets:
        rows.append(W.HBox([W.Label("presets:"), *presets]))
    return Explorer(rows, view, readout, update)
