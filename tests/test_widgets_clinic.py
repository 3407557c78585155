"""The clinic explorer: looks up precomputed cases, redraws on every control, refuses bad input."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils import widgets  # noqa: E402
from course_utils.clinic import Case  # noqa: E402
from course_utils.plots import plot_case  # noqa: E402

NAN_CASE = Case("1a. learning rate too high", "the loss rises, then NaN", "η > 2/L",
                "η = 0.05", broken=[4.0, 40.0, 4e3, math.inf], fixed=[4.0, 0.5, 0.3, 0.26, 0.26])
FLAT_CASE = Case("2a. dead ReLUs", "loss stuck at 2.30", "dead fraction 1.0",
                 "bias 0", broken=[2.303, 2.302, 2.302], fixed=[2.2, 1.5, 0.9])


@pytest.fixture()
def explorer() -> widgets.Explorer:
    return widgets.clinic_explorer([NAN_CASE, FLAT_CASE])


def _png(ex: widgets.Explorer) -> bytes:
    return bytes(ex.view.image.value)


def test_builds_and_shows_the_first_case(explorer: widgets.Explorer) -> None:
    assert set(explorer.controls) == {"case", "show", "epoch"}
    assert _png(explorer).startswith(b"\x89PNG")
    data = explorer.data
    assert data.case is NAN_CASE and (data.show, data.epoch) == ("both", 1)
    assert (data.broken, data.fixed) == (4.0, 4.0)
    text = explorer.readout.value
    assert "1a. learning rate too high" in text and "η &gt; 2/L" in text
    assert "At epoch 1: broken: 4 " in text


@pytest.mark.parametrize(("control", "value"), [("case", FLAT_CASE.title), ("show", "fixed"),
                                                ("epoch", 3)])
def test_each_control_redraws(explorer: widgets.Explorer, control: str, value: object) -> None:
    before, text = _png(explorer), explorer.readout.value
    explorer.controls[control].value = value
    shown = explorer.data.case.title if control == "case" else getattr(explorer.data, control)
    assert shown == value
    assert _png(explorer) != before
    if control != "show":
        assert explorer.readout.value != text


def test_readout_reports_nan_and_a_run_that_stopped(explorer: widgets.Explorer) -> None:
    explorer.controls["epoch"].value = 4
    assert explorer.data.broken == math.inf and explorer.data.fixed == 0.26
    assert "broken: <b" in explorer.readout.value and "inf" in explorer.readout.value
    explorer.controls["epoch"].value = 5
    assert explorer.data.broken is None and explorer.data.fixed == 0.26  # broken run stopped
    assert "run stopped after epoch 4" in explorer.readout.value
    assert "fixed: 0.26" in explorer.readout.value


def test_epoch_slider_follows_the_case_length(explorer: widgets.Explorer) -> None:
    explorer.controls["epoch"].value = 5
    calls = []  # every update ends in one new picture: count them
    explorer.view.image.observe(lambda change: calls.append(change), names="value")
    explorer.controls["case"].value = FLAT_CASE.title
    assert explorer.controls["epoch"].max == 3
    assert explorer.controls["epoch"].value == 3 and explorer.data.epoch == 3
    assert len(calls) == 1  # the slider's move to the new case's length is part of one update


def test_a_case_seen_before_is_pasted_not_redrawn(explorer: widgets.Explorer) -> None:
    first = _png(explorer)
    explorer.controls["case"].value = FLAT_CASE.title
    explorer.controls["case"].value = NAN_CASE.title
    assert _png(explorer) == first
    fresh = widgets.clinic_explorer([NAN_CASE, FLAT_CASE], case=FLAT_CASE.title)
    explorer.controls["case"].value = FLAT_CASE.title
    assert _png(explorer) == _png(fresh)  # the kept background is the one a full draw makes


def test_plot_case_marks_the_nan_epoch() -> None:
    ax = plot_case(NAN_CASE)
    crosses = [line for line in ax.lines if line.get_marker() == "X" and len(line.get_xdata())]
    assert len(crosses) == 1 and crosses[0].get_xdata()[0] == 4
    assert ax.get_yscale() == "log"
    plt.close(ax.figure)
    flat = plot_case(FLAT_CASE)
    assert flat.get_yscale() == "linear"
    plt.close(flat.figure)


@pytest.mark.parametrize("kwargs", [
    {"cases": []},
    {"cases": ["not a case"]},
    {"cases": [NAN_CASE, NAN_CASE]},
    {"cases": [NAN_CASE], "case": "no such case"},
    {"cases": [NAN_CASE], "show": "sideways"},
])
def test_bad_arguments_raise_value_error(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        widgets.clinic_explorer(**kwargs)


def test_a_case_needs_curves_and_a_title() -> None:
    with pytest.raises(ValueError, match="empty"):
        Case("t", "s", "c", "f", broken=[], fixed=[1.0])
    with pytest.raises(ValueError, match="title"):
        Case("", "s", "c", "f", broken=[1.0], fixed=[1.0])
    assert np.array_equal(Case("t", "s", "c", "f", [1, 2], [3]).broken, [1.0, 2.0])


def test_a_case_measured_per_step_says_so_on_its_axis() -> None:
    case = Case("per step", "s", "c", "f", [2.0, 1.5, 1.6], [2.0, 1.0, 0.5],
                       ylabel="loss on one batch", xlabel="step")
    ax = plot_case(case)
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "loss on one batch"
    assert plot_case(Case("t", "s", "c", "f", [1.0], [1.0])).get_xlabel() == "epoch"
    plt.close("all")
