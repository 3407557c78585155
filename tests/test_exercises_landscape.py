"""The chapter-13 checkers accept the worked solutions, spot the usual slips, and say which."""

from __future__ import annotations

import numpy as np

from course_utils import exercises
from course_utils.exercises import landscape as ex


def filter_normalize(direction, weights):
    out = []
    for d, w in zip(direction, weights, strict=True):
        if w.ndim <= 1:
            out.append(np.zeros_like(d))
        else:
            axes = tuple(range(w.ndim - 1))
            out.append(d * np.sqrt((w**2).sum(axis=axes, keepdims=True))
                       / np.sqrt((d**2).sum(axis=axes, keepdims=True)))
    return out


def project(points, u, v):
    return np.linalg.lstsq(np.column_stack([u, v]), points.T, rcond=None)[0].T


def stub(*args):
    return None


def test_checkers_are_exported() -> None:
    for name in ex.__all__:
        assert getattr(exercises, name) is getattr(ex, name)


def test_filter_normalize_accepts_the_solution_and_the_module() -> None:
    assert exercises.check_filter_normalize(filter_normalize)
    assert exercises.check_filter_normalize(stub).status == "not attempted"


def test_filter_normalize_names_each_slip() -> None:
    whole = exercises.check_filter_normalize(lambda d, w: [np.zeros_like(a) if b.ndim == 1 else
                                                           a * np.linalg.norm(b) / np.linalg.norm(a)
                                                           for a, b in zip(d, w, strict=True)])
    assert not whole and "whole kernel" in whole.message
    rows = exercises.check_filter_normalize(ex._first_axis_slip)
    assert not rows and "last axis" in rows.message
    bias = exercises.check_filter_normalize(ex._bias_kept_slip)
    assert not bias and "biases" in bias.message
    crash = exercises.check_filter_normalize(lambda d, w: 1 / 0)
    assert not crash and "ZeroDivisionError" in crash.message
    shape = exercises.check_filter_normalize(lambda d, w: [a.ravel() for a in d])
    assert not shape and "keepdims" in shape.message


def test_projection_accepts_least_squares_and_rejects_dot_products() -> None:
    assert exercises.check_projection(project)
    assert exercises.check_projection(stub).status == "not attempted"
    dots = exercises.check_projection(lambda p, u, v: np.column_stack([p @ u / (u @ u), p @ v / (v @ v)]))
    assert not dots and "orthogonal" in dots.message
    wrong_shape = exercises.check_projection(lambda p, u, v: project(p, u, v).T)
    assert not wrong_shape and "shape" in wrong_shape.message


def test_off_plane_prediction() -> None:
    measured = {"sgd": 0.2, "momentum": 0.7, "adam": 0.0}
    assert exercises.check_off_plane_prediction("momentum", measured)
    wrong = exercises.check_off_plane_prediction("adam", measured)
    assert not wrong and "momentum 70%" in wrong.message
    assert exercises.check_off_plane_prediction(None, measured).status == "not attempted"
    assert not exercises.check_off_plane_prediction("lion", measured)
    assert not exercises.check_off_plane_prediction("sgd", {})
