"""Quadratic theory: every formula agrees with what the optimizers actually do on a bowl."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import quadratic, surfaces, trajectories


def test_optimal_pairs_numbers() -> None:
    theory = quadratic.optimal_pairs(0.01, 1.0)
    assert theory["kappa"] == pytest.approx(100.0)
    assert theory["rate"] == pytest.approx(9 / 11)
    assert theory["beta"] == pytest.approx((9 / 11) ** 2)
    assert theory["eta"] == pytest.approx(4 / 1.1**2)
    assert theory["gd_eta"] == pytest.approx(2 / 1.01)
    assert theory["gd_rate"] == pytest.approx(99 / 101)
    assert theory["nesterov_eta"] == pytest.approx(1.0)
    assert theory["nesterov_rate"] == pytest.approx(0.9)


def test_stability_limits() -> None:
    assert quadratic.stability_limit(1.0) == pytest.approx(2.0)
    assert quadratic.stability_limit(1.0, 0.5) == pytest.approx(3.0)
    assert quadratic.stability_limit(1.0, 0.5, nesterov=True) == pytest.approx(1.5)
    assert quadratic.stability_limit(4.0, 0.5) == pytest.approx(0.75)


@pytest.mark.parametrize(("beta", "nesterov"), [(0.0, False), (0.5, False), (0.9, False),
                                                (0.5, True), (0.9, True)])
def test_stability_limit_separates_runs_that_settle_from_runs_that_diverge(
        beta: float, nesterov: bool) -> None:
    bowl = surfaces.get("quadratic", condition=10.0)
    limit = quadratic.stability_limit(1.0, beta, nesterov)
    below = trajectories.run("sgd", bowl, bowl.start, 3000, learning_rate=0.97 * limit,
                             momentum=beta, nesterov=nesterov)
    above = trajectories.run("sgd", bowl, bowl.start, 3000, learning_rate=1.03 * limit,
                             momentum=beta, nesterov=nesterov)
    assert not below.diverged and below.final_loss < 1e-6
    assert above.diverged or above.final_loss > below.final_loss * 1e6


def test_polyak_pair_converges_at_its_predicted_rate() -> None:
    bowl = surfaces.get("quadratic", condition=100.0)
    theory = quadratic.optimal_pairs(*quadratic.curvatures(bowl))
    run = trajectories.run("sgd", bowl, bowl.start, 400, learning_rate=theory["eta"],
                           momentum=theory["beta"])
    distance = np.linalg.norm(run.path, axis=1)
    measured = (distance[400] / distance[200]) ** (1 / 200)  # per step, after the transient
    assert measured == pytest.approx(theory["rate"], rel=0.02)


def test_curvatures_from_surfaces_and_matrices() -> None:
    assert quadratic.curvatures(surfaces.get("quadratic", condition=50.0)) == pytest.approx(
        (0.02, 1.0))
    mu, big_l = quadratic.curvatures(surfaces.get("rosenbrock"))  # at the minimum (1, 1)
    np.testing.assert_allclose([mu, big_l], np.linalg.eigvalsh([[802, -400], [-400, 200]]))
    assert quadratic.curvatures(surfaces.get("booth")) == pytest.approx((2.0, 18.0))
    assert quadratic.curvatures(np.diag([3.0, 1.0])) == pytest.approx((1.0, 3.0))
    with pytest.raises(ValueError, match="square"):
        quadratic.curvatures(np.ones(3))


@pytest.mark.parametrize("name", surfaces.names())
def test_surface_hessian_matches_differences_of_the_gradient(name: str) -> None:
    surf = surfaces.get(name)
    point = np.array(surf.start) + 0.13
    h = 1e-5
    numeric = np.stack([(surf.grad(point + d) - surf.grad(point - d)) / (2 * h)
                        for d in np.eye(2) * h])
    np.testing.assert_allclose(surf.hessian(point), numeric, rtol=1e-5, atol=1e-4)


def test_hessian_defaults_to_the_minimum_and_refuses_bad_points() -> None:
    np.testing.assert_allclose(surfaces.get("booth").hessian(), [[10, 8], [8, 10]])
    with pytest.raises(ValueError, match="no minimum"):
        surfaces.get("saddle").hessian()
    with pytest.raises(ValueError, match="one point"):
        surfaces.get("booth").hessian(np.zeros((3, 2)))


def test_gd_regime_names() -> None:
    assert quadratic.gd_regime(0.5) == "converges monotonically"
    assert quadratic.gd_regime(1.5) == "oscillates but converges"
    assert quadratic.gd_regime(2.0) == "oscillates forever"
    assert quadratic.gd_regime(0.5, curvature=5.0) == "diverges"
    for bad in (-1.0, 0.0, "0.1", True):
        with pytest.raises(ValueError, match="learning_rate"):
            quadratic.gd_regime(bad)


def test_momentum_roots_say_spiral_or_zigzag() -> None:
    spiral = quadratic.momentum_roots(0.1, 0.9, 1.0)
    assert np.iscomplex(spiral).all() and np.abs(spiral) == pytest.approx([0.9**0.5] * 2)
    zigzag = quadratic.momentum_roots(1.9, 0.0, 1.0)
    assert zigzag.real.min() == pytest.approx(-0.9)


@pytest.mark.parametrize(("call", "match"), [
    (lambda: quadratic.stability_limit(0.0), "L"),
    (lambda: quadratic.stability_limit(1.0, 1.0), "momentum"),
    (lambda: quadratic.optimal_pairs(2.0, 1.0), "L"),
    (lambda: quadratic.optimal_pairs(0.0, 1.0), "μ"),
])
def test_bad_input_raises(call, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()
