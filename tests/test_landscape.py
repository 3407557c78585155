"""course_utils.landscape: directions, slices and projections have the properties chapter 13 relies on."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from course_utils import landscape


def _mlp(seed: int = 0, compiled: bool = True) -> keras.Model:
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5, activation="relu"),
                              keras.layers.Dense(3)])
    if compiled:
        model.compile(optimizer="sgd",
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def _data(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 6)).astype("float32"), rng.integers(0, 3, n)


@pytest.fixture(scope="module")
def model() -> keras.Model:
    return _mlp()


def test_filter_normalised_direction_has_the_models_filter_norms(model) -> None:
    d = landscape.random_direction(model, seed=3)
    assert [a.shape for a in d] == [tuple(w.shape) for w in model.trainable_weights]
    for a, w in zip(d, model.trainable_weights, strict=True):
        w = w.numpy()
        if w.ndim == 1:
            assert np.all(a == 0), "biases get zero"
        else:
            np.testing.assert_allclose(np.linalg.norm(a, axis=0), np.linalg.norm(w, axis=0), rtol=1e-5)


def test_conv_kernel_filters_are_output_channels() -> None:
    keras.utils.set_random_seed(0)
    conv = keras.Sequential([keras.Input((6, 6, 2)), keras.layers.Conv2D(4, 3)])
    d = landscape.random_direction(conv, seed=1)[0]
    w = conv.trainable_weights[0].numpy()
    np.testing.assert_allclose(np.sqrt((d**2).sum(axis=(0, 1, 2))),
                               np.sqrt((w**2).sum(axis=(0, 1, 2))), rtol=1e-5)


def test_normalize_none_gives_the_raw_gaussian_draw(model) -> None:
    raw = landscape.random_direction(model, seed=5, normalize=None)
    rng = np.random.default_rng(5)
    for a in raw:
        np.testing.assert_allclose(a, rng.standard_normal(a.shape).astype("float32"))
    assert all(np.any(a != 0) for a in raw)  # biases too
    again = landscape.random_direction(model, seed=5, normalize=None)
    assert all(np.array_equal(a, b) for a, b in zip(raw, again, strict=True))


def test_loss_at_the_origin_equals_evaluate_and_weights_are_unchanged(model) -> None:
    x, y = _data()
    before = [w.numpy().copy() for w in model.weights]
    d1, d2 = landscape.random_direction(model, 0), landscape.random_direction(model, 1)
    alphas, betas, losses = landscape.loss_surface(model, x, y, d1, d2, span=0.5, resolution=5)
    assert losses.shape == (5, 5)
    np.testing.assert_allclose(alphas, np.linspace(-0.5, 0.5, 5))
    np.testing.assert_allclose(betas, alphas)
    reported = model.evaluate(x, y, verbose=0)
    assert losses[2, 2] == pytest.approx(reported, rel=1e-5)
    for w, b in zip(model.weights, before, strict=True):
        assert np.array_equal(w.numpy(), b)


def test_rows_are_betas_and_columns_alphas(model) -> None:
    x, y = _data()
    d1, d2 = landscape.random_direction(model, 0), landscape.random_direction(model, 1)
    alphas, betas, losses = landscape.loss_surface(model, x, y, d1, d2, span=1.0, resolution=3)
    w = model.get_weights()
    for i, j in ((0, 2), (2, 1)):
        shifted = [wi + alphas[j] * a + betas[i] * b for wi, a, b in zip(w, d1, d2, strict=True)]
        probe = _mlp()
        probe.set_weights(shifted)
        assert losses[i, j] == pytest.approx(probe.evaluate(x, y, verbose=0), rel=1e-4)


def test_one_dimensional_slice(model) -> None:
    x, y = _data()
    alphas, betas, losses = landscape.loss_surface(model, x, y, landscape.random_direction(model),
                                                   span=2.0, resolution=7)
    assert betas is None and losses.shape == (7,) and alphas.shape == (7,)
    assert alphas[0] == -2.0 and alphas[-1] == 2.0
    assert losses[3] == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-5)


def test_closed_form_two_layer_linear_model() -> None:
    # y_hat = w2 * (w1 * x): the MSE on the plane is mean(((w1 + a)(w2 + b) x - y)^2).
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, use_bias=False),
                              keras.layers.Dense(1, use_bias=False)])
    model.set_weights([np.array([[0.5]]), np.array([[2.0]])])
    model.compile(optimizer="sgd", loss="mse")
    x = np.linspace(-1, 1, 9, dtype="float32")[:, None]
    y = 3.0 * x[:, 0]
    d1 = [np.array([[1.0]]), np.array([[0.0]])]
    d2 = [np.array([[0.0]]), np.array([[1.0]])]
    alphas, betas, losses = landscape.loss_surface(model, x, y, d1, d2, span=1.5, resolution=7)
    a, b = np.meshgrid(alphas, betas)
    expected = (((0.5 + a) * (2.0 + b))[..., None] * x[:, 0] - y).__pow__(2).mean(axis=-1)
    np.testing.assert_allclose(losses, expected, rtol=1e-5, atol=1e-6)


def test_project_is_exact_in_the_plane_and_least_squares_off_it(model) -> None:
    center = model.get_weights()
    d1, d2 = landscape.random_direction(model, 0), landscape.random_direction(model, 1, None)
    coords = np.array([[0.3, -0.2], [1.0, 2.0], [0.0, 0.0]])
    path = [[c + a * u + b * v for c, u, v in zip(center, d1, d2, strict=True)] for a, b in coords]
    np.testing.assert_allclose(landscape.project(path, center, d1, d2), coords, atol=1e-5)
    flat = np.stack([landscape.flatten(p) for p in path])
    np.testing.assert_allclose(landscape.project(flat, center, d1, d2), coords, atol=1e-5)
    # off the plane: the residual is orthogonal to both directions
    off = [c + 0.5 * u + e for c, u, e in zip(center, d1, landscape.random_direction(model, 9, None),
                                            strict=True)]
    (a, b), = landscape.project([off], center, d1, d2)
    r = landscape.flatten(off) - landscape.flatten(center) - a * landscape.flatten(d1) \
        - b * landscape.flatten(d2)
    assert abs(r @ landscape.flatten(d1)) < 1e-3 * np.linalg.norm(r) * np.linalg.norm(landscape.flatten(d1))
    assert abs(r @ landscape.flatten(d2)) < 1e-3 * np.linalg.norm(r) * np.linalg.norm(landscape.flatten(d2))


def test_off_plane_fraction_and_pca(model) -> None:
    d1, d2 = landscape.random_direction(model, 0), landscape.random_direction(model, 1)
    inside = landscape.flatten(d1) - 2 * landscape.flatten(d2)
    assert landscape.off_plane_fraction(inside[None], d1, d2)[0] == pytest.approx(0, abs=1e-6)
    center = model.get_weights()
    path = [[c + t * u + t**2 * v for c, u, v in zip(center, d1, d2, strict=True)] for t in np.linspace(0, 1, 6)]
    p1, p2, explained = landscape.pca_directions(path, center)
    assert explained.sum() == pytest.approx(1.0, abs=1e-6)
    assert landscape.off_plane_fraction(np.diff(np.stack([landscape.flatten(p) for p in path]), axis=0),
                                        p1, p2).max() < 1e-5


@pytest.mark.parametrize("case", ["wrong shapes", "too few arrays", "resolution", "span", "uncompiled",
                                  "normalize", "seed", "parallel"])
def test_bad_input_raises_value_error(model, case) -> None:
    x, y = _data()
    d = landscape.random_direction(model)
    with pytest.raises(ValueError):
        if case == "wrong shapes":
            landscape.loss_surface(model, x, y, [a.T for a in d])
        elif case == "too few arrays":
            landscape.loss_surface(model, x, y, d[:2])
        elif case == "resolution":
            landscape.loss_surface(model, x, y, d, resolution=1)
        elif case == "span":
            landscape.loss_surface(model, x, y, d, span=0.0)
        elif case == "uncompiled":
            landscape.loss_surface(_mlp(compiled=False), x, y, d)
        elif case == "normalize":
            landscape.random_direction(model, normalize="layer")
        elif case == "seed":
            landscape.random_direction(model, seed=-1)
        else:
            landscape.project([model.get_weights()], model.get_weights(), d, [2 * a for a in d])


def test_loss_at_reads_the_grid_bilinearly_and_is_nan_outside() -> None:
    alphas = np.linspace(-1.0, 1.0, 5)
    betas = np.linspace(-2.0, 2.0, 9)
    grid = 3.0 * betas[:, None] - 2.0 * alphas[None, :] + 1.0  # a plane: bilinear is exact
    surface = (alphas, betas, grid)
    assert landscape.loss_at(surface, alphas[1], betas[4]) == pytest.approx(grid[4, 1])
    for a, b in [(0.3, -1.7), (-0.95, 0.25), (1.0, 2.0)]:
        assert landscape.loss_at(surface, a, b) == pytest.approx(3 * b - 2 * a + 1)
    cell = np.array([[0.0, 1.0], [2.0, 7.0]])  # rows: beta; a cell's middle is the mean
    assert landscape.loss_at((np.array([0.0, 1.0]), np.array([0.0, 1.0]), cell), 0.5, 0.5) == 2.5
    assert np.isnan(landscape.loss_at(surface, 1.2, 0.0))
    assert np.isnan(landscape.loss_at(surface, 0.0, -2.5))
    with pytest.raises(ValueError, match="needs a plane"):
        landscape.loss_at((alphas, None, grid[0]), 0.0, 0.0)
    with pytest.raises(ValueError):
        landscape.loss_at(surface, "0.1", 0.0)
