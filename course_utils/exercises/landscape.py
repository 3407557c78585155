"""Checkers for 13_loss_landscapes: filter normalisation, projecting onto a plane, and a
predict-then-run exercise (which optimizer's path leaves the plane most).

The reference answers are ``course_utils.landscape``'s own; when a case fails the
checkers try the usual slips (a whole layer normalised at once, the filters taken
along the wrong axis, biases left non-zero, a projection by dot products on
non-orthogonal directions) and say which one it was. No Keras is imported here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from course_utils.exercises._core import Feedback, call_learner

__all__ = ["check_filter_normalize", "check_projection", "check_off_plane_prediction"]


# -- filter normalisation --------------------------------------------------------------------
def _reference_normalize(direction: list[np.ndarray], weights: list[np.ndarray]) -> list[np.ndarray]:
    out = []
    for d, w in zip(direction, weights, strict=True):
        if w.ndim <= 1:
            out.append(np.zeros_like(d))
            continue
        axes = tuple(range(w.ndim - 1))
        out.append(d * np.sqrt((w**2).sum(axis=axes, keepdims=True))
                   / (np.sqrt((d**2).sum(axis=axes, keepdims=True)) + 1e-10))
    return out


def _layer_slip(direction, weights):
    return [np.zeros_like(d) if w.ndim <= 1 else d * np.linalg.norm(w) / np.linalg.norm(d)
            for d, w in zip(direction, weights, strict=True)]


def _first_axis_slip(direction, weights):
    out = []
    for d, w in zip(direction, weights, strict=True):
        if w.ndim <= 1:
            out.append(np.zeros_like(d))
            continue
        axes = tuple(range(1, w.ndim))
        out.append(d * np.sqrt((w**2).sum(axis=axes, keepdims=True))
                   / np.sqrt((d**2).sum(axis=axes, keepdims=True)))
    return out


def _bias_kept_slip(direction, weights):
    ref = _reference_normalize(direction, weights)
    return [d if w.ndim <= 1 else r for d, w, r in zip(direction, weights, ref, strict=True)]


def _normalize_cases() -> list[tuple[str, list[np.ndarray], list[np.ndarray]]]:
    rng = np.random.default_rng(13)
    dense = [rng.normal(size=(6, 4)) * np.array([0.1, 1.0, 3.0, 0.5]), rng.normal(size=4),
             rng.normal(size=(4, 3)), rng.normal(size=3)]
    conv = [rng.normal(size=(3, 3, 2, 5)) * np.arange(1, 6), rng.normal(size=5)]
    cases = []
    for label, weights in (("a Dense network (kernel, bias, kernel, bias)", dense),
                           ("a Conv2D kernel (3, 3, 2, 5) and its bias", conv)):
        direction = [rng.standard_normal(w.shape) for w in weights]
        cases.append((label, direction, weights))
    return cases


def check_filter_normalize(fn: Callable[[list, list], list]) -> Feedback:
    """``fn(direction, weights)``: rescale each filter of ``direction`` to the norm of the same
    filter of ``weights`` (a filter = one index of a kernel's last axis); 1-D weights get zero."""
    slips = [(_layer_slip, "you scaled each whole kernel to the kernel's norm; scale each *filter* "
              "(each index k of the last axis, d[..., k]) to the norm of w[..., k]."),
             (_first_axis_slip, "you took the norms along the last axis, i.e. per input row; a "
              "filter is a slice along the *last* axis, so sum over all the other axes "
              "(axis=tuple(range(w.ndim - 1)))."),
             (_bias_kept_slip, "the kernels are right, but 1-D weights (biases) must be zero in "
              "the direction: Li et al. leave them out of the perturbation.")]
    for label, direction, weights in _normalize_cases():
        copies = [d.copy() for d in direction]
        got, problem = call_learner(fn, ([d.copy() for d in direction], [w.copy() for w in weights]),
                                    label, "loop over (d, w) pairs; for w.ndim >= 2 compute norms as "
                                    "np.sqrt((w**2).sum(axis=tuple(range(w.ndim - 1)), "
                                    "keepdims=True)) (np.linalg.norm takes at most two axes).")
        if problem is not None:
            return problem
        expected = _reference_normalize(copies, weights)
        if not isinstance(got, list | tuple) or len(got) != len(expected):
            return Feedback("wrong", f"case '{label}': return a list with one array per weight "
                            f"({len(expected)} here), got {type(got).__name__}.")
        got = [np.asarray(g, dtype=float) for g in got]
        if any(g.shape != e.shape for g, e in zip(got, expected, strict=True)):
            return Feedback("wrong", f"case '{label}': the shapes {[g.shape for g in got]} should be "
                            f"{[e.shape for e in expected]}: keep each array's shape (keepdims=True).")
        if all(np.allclose(g, e, rtol=1e-6, atol=1e-9) for g, e in zip(got, expected, strict=True)):
            continue
        hint = "compare each filter's norm, np.linalg.norm(d[..., k]), with np.linalg.norm(w[..., k])."
        for slip, slip_hint in slips:
            wanted = slip(copies, weights)
            if all(np.allclose(g, s, rtol=1e-6, atol=1e-9) for g, s in zip(got, wanted, strict=True)):
                hint = slip_hint
                break
        return Feedback("wrong", f"case '{label}': the direction is not filter-normalised. Hint: {hint}")
    return Feedback("correct", "each filter of the direction now has its own filter's norm, and "
                    "biases stay put: a step of α means 'α times each filter's size' in every layer.")


# -- projection --------------------------------------------------------------------------------
def check_projection(fn: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]) -> Feedback:
    """``fn(points, u, v)``: least-squares coordinates (n, 2) of each row of ``points`` (n, P)
    in span(u, v), for directions ``u``, ``v`` (P,) that need not be orthogonal."""
    rng = np.random.default_rng(17)
    u = rng.normal(size=50)
    v = 0.6 * u + rng.normal(size=50)  # deliberately not orthogonal to u
    coords = rng.normal(size=(4, 2))
    in_plane = coords @ np.vstack([u, v])
    off_plane = in_plane + rng.normal(size=(4, 50)) * 0.3
    basis = np.column_stack([u, v])
    cases = [("points in the plane", in_plane, coords),
             ("points off the plane", off_plane, np.linalg.lstsq(basis, off_plane.T, rcond=None)[0].T)]
    for label, points, expected in cases:
        got, problem = call_learner(fn, (points.copy(), u.copy(), v.copy()), label,
                                    "solve the least-squares problem [u v] c ≈ p for every point "
                                    "(np.linalg.lstsq with the points as columns).")
        if problem is not None:
            return problem
        got = np.asarray(got, dtype=float)
        if got.shape != expected.shape:
            return Feedback("wrong", f"case '{label}': expected shape {expected.shape} (one (α, β) "
                            f"per point), got {got.shape}.")
        if np.allclose(got, expected, rtol=1e-6, atol=1e-8):
            continue
        dots = np.column_stack([points @ u / (u @ u), points @ v / (v @ v)])
        if np.allclose(got, dots, rtol=1e-6, atol=1e-8):
            hint = ("dot products p·u/|u|² give the coordinates only when u and v are orthogonal; "
                    "these are not (nor are two random directions exactly): solve least squares.")
        else:
            hint = "np.linalg.lstsq(np.column_stack([u, v]), points.T, rcond=None)[0].T"
        return Feedback("wrong", f"case '{label}': coordinates differ from the least-squares ones. "
                        f"Hint: {hint}")
    return Feedback("correct", "exact for points in the plane, and the nearest point in the plane "
                    "for points off it: the residual is what the picture cannot show.")


# -- predict, then run ---------------------------------------------------------------------------
def check_off_plane_prediction(prediction: Any, off_plane: Mapping[str, float]) -> Feedback:
    """``prediction``: the optimizer name you expect to leave the plane most; ``off_plane``:
    the measured fraction of each optimizer's displacement outside the plane."""
    if not isinstance(off_plane, Mapping) or not off_plane:
        return Feedback("wrong", "pass the measured fractions as the second argument: "
                        "{optimizer: fraction of its displacement off the plane}.")
    if prediction is None:
        return Feedback("not attempted", "set `prediction` to an optimizer's name before running.")
    names = ", ".join(off_plane)
    if not isinstance(prediction, str) or prediction not in off_plane:
        return Feedback("wrong", f"the prediction must be one of {names}; got {prediction!r}.")
    ranked = sorted(off_plane, key=off_plane.get, reverse=True)
    table = "; ".join(f"{n} {100 * off_plane[n]:.0f}%" for n in ranked)
    if prediction == ranked[0]:
        return Feedback("correct", f"{prediction} leaves the plane most ({table}). The plane holds "
                        f"the reference run's start and end exactly; a path that ends at another "
                        f"minimum has most of its displacement outside it.")
    return Feedback("wrong", f"measured: {table}. Hint: the plane was built from one run's start and "
                    f"end; which run ends farthest from that end, in a direction the plane's random "
                    f"axis cannot hold?")
