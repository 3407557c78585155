"""Reading per-layer gradient norms: dead, vanishing, exploding or healthy.

``gradients.layer_gradient_norms`` (or a ``gradients.DepthGrid``) gives one number per
layer, ``‖∂L/∂W_l‖`` from the first hidden layer to the output layer. ``verdict`` turns
such a list into a label and a sentence a learner can act on; the thresholds below are
the ones chapter 08's explorer draws (its grey floor, its green "healthy" band).

Numerics only (NumPy), so the explorers can use it without loading TensorFlow.
Taught in 08_initialization_activations_normalization.
"""

from __future__ import annotations

import numpy as np

__all__ = ["verdict", "FLOOR", "HEALTHY", "EXPLODING", "TINY"]

FLOOR = 1e-20  # gradient norms below this (float32 underflow included) are drawn here
HEALTHY = (0.1, 10.0)  # ‖g₁‖/‖g_out‖ within this band: every layer gets a similar signal
EXPLODING = 1e3  # any layer's gradient norm above this: one step throws the weights away
TINY = 1e-6  # every layer's gradient norm below this: nothing learns, whatever the ratio

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
