"""The explorers redraw when a control moves, and refuse bad arguments."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from course_utils import widgets


def _png(explorer: widgets.Explorer) -> bytes:
    return bytes(explorer.view.image.value)


def test_slope_explorer_redraws() -> None:
    ex = widgets.slope_explorer()
    before, text = _png(ex), ex.readout.value
    ex.controls["slope"].value = 2.0
    assert _png(ex) != before and ex.readout.value != text
    assert _png(ex).startswith(b"\x89PNG")


def test_optimizer_explorer_defaults_and_controls() -> None:
    ex = widgets.optimizer_explorer()
    assert isinstance(ex.children, tuple) and len(ex.children) >= 3
    names = set(ex.controls)
    assert {"surface", "optimizer_1", "learning_rate_1", "steps", "starts", "start_x",
            "start_y"} <= names


def test_optimizer_explorer_races_from_a_grid_of_starts() -> None:
    ex = widgets.optimizer_explorer(surface="beale", optimizers=("momentum", "adam"))
    before, text = _png(ex), ex.readout.value
    ex.controls["starts"].value = 16
    assert _png(ex) != before and ex.readout.value != text
    race = ex.data
    assert race.starts.shape == (16, 2) and [lane.name for lane in race.lanes] == ["momentum",
                                                                                   "adam"]
    for lane in race.lanes:
        assert lane.result.path.shape == (301, 16, 2) and lane.settled_at.shape == (16,)
        # the curve is the typical start's: the median, a diverged start counted as infinite
        gap = lane.result.loss - race.floor
        np.testing.assert_allclose(lane.typical[:50], np.maximum(
            np.median(np.where(np.isnan(gap), np.inf, gap), axis=1)[:50], 1e-300))
    path_x, _ = ex.view.animated[0].get_data()
    assert np.isnan(path_x).sum() >= 16  # 16 paths in one line, NaN between them
    settled = int((race.lanes[0].settled_at >= 0).sum())
    assert f"{settled} of 16 settled within 1e-6" in ex.readout.value
    assert "median of 16 starts" in ex.view.fig.axes[1].get_title()


def test_start_grid_surrounds_the_start_inside_the_window() -> None:
    from course_utils import surfaces
    from course_utils.trajectories import start_grid

    beale = surfaces.get("beale")
    grid = start_grid([4.0, 0.0], 9, beale)  # near the right edge: clipped into the window
    (x0, x1), (y0, y1) = beale.window
    assert grid.shape == (9, 2) and [4.0, 0.0] in grid.tolist()
    assert grid[:, 0].max() <= x1 and grid[:, 1].min() >= y0
    assert start_grid([1.0, 1.0], 1, beale).tolist() == [[1.0, 1.0]]
    with pytest.raises(ValueError, match="starts must be one of"):
        start_grid([1.0, 1.0], 5, beale)


@pytest.mark.parametrize(
    ("control", "value"),
    [("learning_rate_1", 0.002), ("steps", 100), ("start_x", 0.5), ("optimizer_2", "rmsprop"),
     ("surface", "himmelblau"), ("optimizer_3", "(none)")],
)
def test_optimizer_explorer_each_control_redraws(control: str, value) -> None:
    ex = widgets.optimizer_explorer()
    before, text = _png(ex), ex.readout.value
    ex.controls[control].value = value
    assert _png(ex) != before
    if control not in ("start_x",):
        assert ex.readout.value != text


def test_optimizer_explorer_reports_divergence() -> None:
    ex = widgets.optimizer_explorer(surface="quadratic", optimizers=("sgd",), learning_rates=[0.5])
    assert "diverged" not in ex.readout.value
    ex.controls["learning_rate_1"].value = 2.5
    assert ex.data.lanes[0].diverged.all() and "diverged" in ex.readout.value
    # After divergence the loss curve stops; it must not dive to the axis floor ("converged").
    _, loss = ex.view.fig.axes[1].lines[0].get_data()
    assert np.isnan(loss[-1]) and np.nanmin(loss) > 1e-10


def test_surface_change_moves_start_into_window() -> None:
    ex = widgets.optimizer_explorer()
    ex.controls["surface"].value = "booth"
    assert (ex.controls["start_x"].value, ex.controls["start_y"].value) == (-4.0, 6.0)


def test_learning_rate_explorer_regimes() -> None:
    ex = widgets.learning_rate_explorer()
    lr = ex.controls["learning_rate"]
    seen = {}
    for value in (0.3, 1.5, 2.5):
        before = _png(ex)
        lr.value = value
        assert _png(ex) != before
        seen[value] = ex.readout.value
    assert "converges monotonically" in seen[0.3]
    assert "oscillates but converges" in seen[1.5]
    assert "diverges" in seen[2.5]
    before = _png(ex)
    ex.controls["condition"].value = 50.0
    assert _png(ex) != before


def test_static_fallback_is_the_current_picture() -> None:
    ex = widgets.slope_explorer()
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]) == ex.view.png()


def test_static_fallback_keeps_the_readout_that_names_the_colours() -> None:
    ex = widgets.optimizer_explorer(optimizers=("sgd", "adam"), steps=50)
    html = ex._repr_mimebundle_()["text/html"]
    png = base64.b64encode(ex.view.png()).decode("ascii")
    assert f"data:image/png;base64,{png}" in html  # the picture...
    assert ex.readout.value in html and "adam" in html  # ...and the table under it


@pytest.mark.parametrize(
    "call",
    [
        lambda: widgets.optimizer_explorer(surface="moon"),
        lambda: widgets.optimizer_explorer(optimizers=("adam", "warp")),
        lambda: widgets.optimizer_explorer(optimizers=()),
        lambda: widgets.optimizer_explorer(optimizers=("sgd",), learning_rates=[-1.0]),
        lambda: widgets.optimizer_explorer(steps=5),
        lambda: widgets.optimizer_explorer(start=[float("nan"), 0.0]),
        lambda: widgets.optimizer_explorer(starts=5),
        lambda: widgets.learning_rate_explorer(condition=0.5),
        lambda: widgets.learning_rate_explorer(learning_rate=0.0),
    ],
)
def test_bad_arguments(call) -> None:
    with pytest.raises(ValueError):
        call()
