"""The isolation explorer: each control redraws the picture and changes the readout, fast."""

from __future__ import annotations

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
    results = fake_results()
    explorer = widgets.isolation_explorer(results)
    assert set(explorer.controls) == {"scientific", "budget", "epoch"}
    assert explorer.controls["budget"].description == "trials per value"  # the label stays
    assert explorer.view.image.value[:4] == b"\x89PNG"
    data = explorer.data
    assert (data.scientific, data.budget, data.epoch) == ("optimizer", 8, 4)
    assert data.labels == ["sgd", "adam"]
    for i, label in enumerate(data.labels):  # each value's best trial by its mean over seeds
        final = results["optimizer"][label]["curves"][:, :, -1]
        best = int(np.argmax(final.mean(axis=1)))
        assert data.isolation.within[i] == best
        assert data.isolation.mean[i] == pytest.approx(final[best].mean())
        assert data.settings[i] == (results["optimizer"][label]["learning_rate"][best],
                                    results["optimizer"][label]["l2"][best])
    assert data.labels[data.winner] == "adam"  # adam's block is built 0.03 higher
    assert "<b>sgd</b>" in explorer.readout.value and "Verdict" in explorer.readout.value
    assert explorer.children[-1] is explorer.readout


@pytest.mark.parametrize(("name", "value"), [("scientific", "hidden width"), ("budget", 2),
                                               ("epoch", 1)])
def test_moving_a_control_redraws_picture_and_readout(name: str, value) -> None:
    explorer = widgets.isolation_explorer(fake_results())
    image, text = explorer.view.image.value, explorer.readout.value
    explorer.controls[name].value = value
    assert getattr(explorer.data, name) == value
    assert explorer.view.image.value != image
    assert explorer.readout.value != text


def test_the_verdict_follows_the_seed_ranges() -> None:
    results = fake_results()
    for block in results["optimizer"].values():  # tight seeds: adam's worst beats sgd's best
        block["curves"] = np.repeat(block["curves"][:, :1, :], 3, axis=1)
    results["optimizer"]["adam"]["curves"][..., -1] += 0.05
    explorer = widgets.isolation_explorer(results)
    iso = explorer.data.isolation
    assert explorer.data.separated and iso.low[explorer.data.winner] > iso.high[explorer.data.runner_up]
    assert "worst seed beats" in explorer.readout.value
    for block in results["optimizer"].values():  # seeds 0.2 apart: the ranges overlap
        block["curves"][:, 0, :] -= 0.1
        block["curves"][:, 2, :] += 0.1
    explorer = widgets.isolation_explorer(results)
    iso = explorer.data.isolation
    assert not explorer.data.separated
    assert iso.low[explorer.data.winner] <= iso.high[explorer.data.runner_up]
    assert "overlap" in explorer.readout.value


def test_a_hyperparameter_seen_before_is_pasted_not_redrawn() -> None:
    explorer = widgets.isolation_explorer(fake_results())
    first = explorer.view.image.value
    explorer.controls["scientific"].value = "hidden width"
    explorer.controls["scientific"].value = "optimizer"
    assert explorer.view.image.value == first


def test_moving_the_budget_pastes_the_background_instead_of_drawing_it() -> None:
    # Speed itself is measured by benchmarks/widgets.py (tests never assert wall-clock time);
    # what makes it fast is that a slider move draws no new figure.
    explorer = widgets.isolation_explorer(fake_results(trials=16, seeds=5, epochs=10))
    slider = explorer.controls["budget"]
    draws = []
    original = explorer.view.canvas.draw
    explorer.view.canvas.draw = lambda: (draws.append(1), original())[1]
    for k in (3, 9, 16, 5, 12):
        slider.value = k
    assert draws == []


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
