"""The isolation explorer: each control redraws the picture and changes the readout, fast."""

from __future__ import annotations

import time

import numpy as np
import pytest

from course_utils import widgets


def fake_results(trials: int = 8, seeds: int = 3, epochs: int = 4) -> dict:
    rng = np.random.default_rng(0)

    def block(level: float) -> dict:
        lr = 10 ** rng.uniform(-4, -1, trials)
        base = level - 0.3 * np.abs(np.log10(lr) + 2.5) / 1.5
        ramp = np.linspace(0.5, 1.0, epochs)
        curves = np.clip(base[:, None, None] * ramp + rng.normal(0, 0.01, (trials, seeds, epochs)),
                         0, 1)
        return {"curves": curves, "learning_rate": lr, "l2": 10 ** rng.uniform(-6, -2, trials)}

    return {"optimizer": {"sgd": block(0.93), "adam": block(0.96)},
            "hidden width": {"16": block(0.9), "32": block(0.95), "64": block(0.96)}}


def test_builds_and_reports_best_per_value() -> None:
    explorer = widgets.isolation_explorer(fake_results())
    assert {"scientific hyperparameter", "trials per value", "scored at epoch"} <= set(explorer.controls)
    assert explorer.view.image.value[:4] == b"\x89PNG"
    assert "<b>sgd</b>" in explorer.readout.value and "Verdict" in explorer.readout.value
    assert explorer.children[-1] is explorer.readout


@pytest.mark.parametrize(("name", "value"), [("scientific hyperparameter", "hidden width"),
                                               ("trials per value", 2), ("scored at epoch", 1)])
def test_moving_a_control_redraws_picture_and_readout(name: str, value) -> None:
    explorer = widgets.isolation_explorer(fake_results())
    image, text = explorer.view.image.value, explorer.readout.value
    explorer.controls[name].value = value
    assert explorer.view.image.value != image
    assert explorer.readout.value != text


def test_answers_within_50_ms() -> None:
    explorer = widgets.isolation_explorer(fake_results(trials=16, seeds=5, epochs=10))
    slider = explorer.controls["trials per value"]
    start = time.perf_counter()
    for k in (3, 9, 16, 5, 12):
        slider.value = k
    assert (time.perf_counter() - start) / 5 < 0.05  # blitting: a few ms on a laptop


def test_static_fallback_has_picture_and_readout() -> None:
    bundle = widgets.isolation_explorer(fake_results())._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "image/png" in data and "Verdict" in data["text/html"]


@pytest.mark.parametrize("kwargs", [{"scientific": "batch size"}, {"budget": 0}, {"budget": 99},
                                    {"epoch": 0}, {"epoch": 5}])
def test_bad_arguments_raise_value_error(kwargs) -> None:
    with pytest.raises(ValueError):
        widgets.isolation_explorer(fake_results(), **kwargs)


def test_bad_results_raise_value_error() -> None:
    with pytest.raises(ValueError):
        widgets.isolation_explorer({})
    with pytest.raises(ValueError):
        widgets.isolation_explorer({"optimizer": {"adam": fake_results()["optimizer"]["adam"]}})
    bad = fake_results()
    bad["optimizer"]["sgd"]["curves"] = np.zeros((8, 4))
    with pytest.raises(ValueError):
        widgets.isolation_explorer(bad)
