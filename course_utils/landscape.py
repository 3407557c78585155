"""Slices through a real network's loss: 1-D lines, 2-D planes and projected paths.

A Keras model with a few thousand weights has a loss that is a function of a few
thousand numbers; nobody can look at that. What we *can* look at is the loss along a
line or on a plane through the weights:

    L(α, β) = loss(w + α·d1 + β·d2)

where ``w`` is the model's current weights (a trained minimum, say) and ``d1``, ``d2``
are two directions in weight space, each a list of arrays shaped like
``model.trainable_weights``. Three functions make that practical:

- ``random_direction(model, seed=0, normalize="filter")``: a random direction. With
  filter normalisation (Li et al., 2018) each *filter* of the direction (for a Keras
  kernel: each index of its last axis, e.g. one Dense unit's incoming weights, one
  Conv2D output channel) is rescaled to the norm of the same filter in the model, and
  biases and normalisation parameters (1-D weights) are set to zero. The scale of a
  picture then means the same thing for every layer, whatever the layer's own scale.
- ``loss_surface(model, x, y, d1, d2=None, span=1.0, resolution=21)``: the compiled
  loss on a grid of (α, β) (or along α alone with ``d2=None``), fast: the grid points
  are evaluated many at a time inside one TensorFlow function, never by
  ``set_weights`` + ``evaluate`` (``benchmarks/landscape.py`` measures the gap).
- ``project(weight_path, center, d1, d2)``: where recorded weights (an optimizer's
  path) lie in the plane: their least-squares coordinates in span(d1, d2).

Helpers: ``flatten``/``unflatten`` (a list of arrays <-> one vector),
``pca_directions`` (the two principal directions of a weight path) and ``loss_at`` (a
plane's loss at any (α, β), read off its grid).

Importing this module is light: Keras and TensorFlow are imported inside the
functions that need them. Taught in 13_loss_landscapes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.interpolate import RegularGridInterpolator

from course_utils import checks

__all__ = ["random_direction", "loss_surface", "loss_at", "project", "flatten", "unflatten", "train_path",
           "pca_directions", "off_plane_fraction"]

NORMALIZE = ("filter", None)


# -- weights as arrays ---------------------------------------------------------------------
def _weights(model: Any) -> list[np.ndarray]:
    """The model's trainable weights as NumPy arrays (copies)."""
    try:
        variables = model.trainable_weights
    except AttributeError as err:
        raise ValueError(f"model must be a Keras model, got {type(model).__name__}.") from err
    if not variables:
        raise ValueError("the model has no trainable weights: build it first (start a Sequential "
                         "with keras.Input(shape=...)) and make sure it is not frozen.")
    return [np.array(v.numpy() if hasattr(v, "numpy") else v, dtype=np.float32) for v in variables]


def _as_direction(name: str, direction: Any, shapes: list[tuple[int, ...]]) -> list[np.ndarray]:
    """``direction`` as a list of float32 arrays with exactly ``shapes``, or a clear ValueError."""
    if isinstance(direction, np.ndarray) or not isinstance(direction, Sequence):
        raise ValueError(f"{name} must be a list of arrays shaped like model.trainable_weights "
                         f"({len(shapes)} arrays: {shapes}); got {type(direction).__name__}. "
                         f"Make one with landscape.random_direction(model).")
    if len(direction) != len(shapes):
        raise ValueError(f"{name} has {len(direction)} arrays but the model has {len(shapes)} "
                         f"trainable weights {shapes}: was it made for another model?")
    out = []
    for i, (d, shape) in enumerate(zip(direction, shapes, strict=True)):
        arr = np.asarray(d, dtype=np.float32)
        if arr.shape != shape:
            raise ValueError(f"{name}[{i}] has shape {arr.shape}, but the model's weight {i} has "
                             f"shape {shape}: the direction must match the model weight by weight.")
        if not np.isfinite(arr).all():
            raise ValueError(f"{name}[{i}] contains NaN or infinite values.")
        out.append(arr)
    return out


def flatten(weights: Sequence[Any]) -> np.ndarray:
    """A list of arrays (one weight set or direction) as one float64 vector."""
    return np.concatenate([np.asarray(w, dtype=np.float64).ravel() for w in weights])


def unflatten(vector: Any, like: Sequence[Any]) -> list[np.ndarray]:
    """The inverse of ``flatten``: cut ``vector`` into float32 arrays shaped like ``like``."""
    vector = np.asarray(vector)
    sizes = [int(np.size(w)) for w in like]
    if vector.ndim != 1 or vector.size != sum(sizes):
        raise ValueError(f"vector must be 1-D with {sum(sizes)} numbers, got shape {vector.shape}.")
    parts = np.split(vector, np.cumsum(sizes)[:-1])
    return [p.reshape(np.shape(w)).astype(np.float32) for p, w in zip(parts, like, strict=True)]


# -- directions ------------------------------------------------------------------------------
def random_direction(model: Any, seed: int = 0, normalize: str | None = "filter") -> list[np.ndarray]:
    """A random direction in weight space: a list of arrays shaped like ``model.trainable_weights``.

    Each entry is drawn from a standard normal distribution (NumPy generator ``seed``).
    With ``normalize="filter"`` (Li et al., 2018), for every weight with two or more
    axes (a kernel) each filter ``d[..., k]`` is rescaled so that its norm equals the
    norm of the model's ``w[..., k]``; weights with one axis (biases, batch-norm
    scales and shifts) get zero. With ``normalize=None`` the raw Gaussian draw comes back.

    Why filters: a ReLU network computes the same function if one layer's weights are
    multiplied by 10 and the next layer's divided by 10, yet a step of size 1 means a
    lot to the small layer and little to the big one. Scaling each filter of the
    direction to its own filter's size makes "α = 0.5" mean "half of each filter's size"
    everywhere, so pictures of different networks (or of the same function written
    with different scales) can be compared.

    >>> d = random_direction(model)                                 # doctest: +SKIP
    >>> [a.shape for a in d] == [tuple(w.shape) for w in model.trainable_weights]  # doctest: +SKIP
    True
    """
    checks.whole("seed", seed, low=0)
    if normalize not in NORMALIZE:
        raise ValueError(f"normalize must be 'filter' or None, got {normalize!r}.")
    weights = _weights(model)
    rng = np.random.default_rng(int(seed))
    out = []
    for w in weights:
        d = rng.standard_normal(w.shape)
        if normalize == "filter":
            if w.ndim <= 1:
                d = np.zeros_like(d)
            else:
                axes = tuple(range(w.ndim - 1))  # everything but the last axis: one filter
                w_norm = np.sqrt((w.astype(np.float64) ** 2).sum(axis=axes, keepdims=True))
                d_norm = np.sqrt((d ** 2).sum(axis=axes, keepdims=True))
                d = d * w_norm / (d_norm + 1e-10)
        out.append(d.astype(np.float32))
    return out


def off_plane_fraction(steps: Any, d1: Sequence[Any], d2: Sequence[Any]) -> np.ndarray:
    """For each step (a row of ``steps``, shape (n, P), flattened weight changes), the
    fraction of its length that lies *outside* span(d1, d2): 0 = in the plane, 1 = orthogonal."""
    steps = np.atleast_2d(np.asarray(steps, dtype=np.float64))
    basis = np.column_stack([flatten(d1), flatten(d2)])
    q, _ = np.linalg.qr(basis)
    inside = steps @ q @ q.T
    norms = np.linalg.norm(steps, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norms > 0, np.linalg.norm(steps - inside, axis=1) / norms, 0.0)


# -- the loss on a grid ----------------------------------------------------------------------
def _check_grid(span: Any, resolution: Any) -> tuple[float, int]:
    return (checks.number("span (the grid runs from -span to span)", span, low=0, low_open=True),
            checks.whole("resolution (points per axis)", resolution, low=2))


def _loss_fn(model: Any) -> Any:
    """The model's compiled loss as a pure function ``loss(y_true, y_pred) -> scalar``."""
    if not getattr(model, "compiled", False) or getattr(model, "loss", None) is None:
        raise ValueError("the model is not compiled: call model.compile(optimizer=..., loss=...) "
                         "first; loss_surface evaluates the compiled loss.")
    if len(getattr(model, "outputs", None) or [None]) != 1:
        raise ValueError("loss_surface handles models with one output.")
    compiled = getattr(model, "_compile_loss", None)
    if compiled is not None:  # Keras 3: exactly what fit and evaluate compute
        return compiled
    import keras

    fn = keras.losses.get(model.loss)
    return lambda y_true, y_pred: keras.ops.mean(fn(y_true, y_pred))


def _evaluator(model: Any, k: int) -> Any:
    """A function ``(coeffs (m, k), x, y, w0, dirs) -> losses (m,)`` evaluating m grid points
    in one call; traced once per model and number of directions, then reused."""
    import tensorflow as tf

    loss = _loss_fn(model)
    cache = model.__dict__.setdefault("_course_landscape", {})
    key = (k, id(loss))  # a recompiled model gets a new loss, and a new function
    if key in cache:
        return cache[key]

    def many(coeffs: Any, x: Any, y: Any, w0: Any, dirs: Any, non_trainable: Any) -> Any:
        def one(coeff: Any) -> Any:
            weights = []
            for i, w in enumerate(w0):
                for j in range(k):
                    w = w + coeff[j] * dirs[j][i]
                weights.append(w)
            pred, _ = model.stateless_call(weights, non_trainable, x, training=False)
            return tf.cast(loss(y, pred), tf.float32)

        return tf.vectorized_map(one, coeffs, fallback_to_while_loop=True)

    cache[key] = tf.function(many, reduce_retracing=True)
    return cache[key]


def _chunk_size(n_samples: int, n_params: int) -> int:
    """Grid points per call: keep each call's activations to roughly 64 MB."""
    per_point = max(1, n_samples) * 4 * 64 + n_params * 4
    return int(max(1, min(64, 64 * 2**20 // per_point)))


def loss_surface(model: Any, x: Any, y: Any, d1: Sequence[Any], d2: Sequence[Any] | None = None,
                 span: float = 1.0, resolution: int = 21
                 ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """The compiled loss on a line or plane through the model's weights.

    With ``w`` the model's current trainable weights, returns ``(alphas, betas, losses)``:

    - ``alphas`` and ``betas``: ``resolution`` evenly spaced values from ``-span`` to
      ``span`` inclusive (an odd resolution puts 0 on the grid);
    - ``losses[i, j]``: the compiled loss on ``(x, y)`` at ``w + alphas[j]·d1 + betas[i]·d2``
      (row i is one β, as ``plt.contour(alphas, betas, losses)`` expects).

    With ``d2=None`` it is a 1-D slice: ``betas`` is None and ``losses[j]`` is the loss at
    ``w + alphas[j]·d1``. At α = β = 0 the value equals what ``model.evaluate(x, y)``
    reports (to float32 rounding), for a one-output model without regularisation
    penalties (those are left out). Batch norm and dropout run in inference mode, as
    in ``evaluate``. The model's weights are not touched: each point is computed
    with ``model.stateless_call``, many grid points at a time.

    Raises ``ValueError`` for an uncompiled model, a direction whose shapes do not match
    the model, ``resolution < 2`` or ``span <= 0``.
    """
    span, resolution = _check_grid(span, resolution)
    center = _weights(model)
    shapes = [w.shape for w in center]
    dirs = [_as_direction("d1", d1, shapes)]
    if d2 is not None:
        dirs.append(_as_direction("d2", d2, shapes))
    x = np.asarray(x)
    y = np.asarray(y)
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"x and y must hold the same number of samples (at least one), got "
                         f"{len(x)} and {len(y)}.")
    if x.dtype == np.float64:
        x = x.astype(np.float32)
    import tensorflow as tf

    loss = _loss_fn(model)
    x_t, y_t = tf.constant(x), tf.constant(y)
    non_trainable = [tf.constant(v.numpy()) for v in model.non_trainable_weights]
    w0 = [tf.constant(w) for w in center]
    dirs_t = [[tf.constant(d) for d in direction] for direction in dirs]
    pred0, _ = model.stateless_call(w0, non_trainable, x_t[:2], training=False)
    loss(y_t[:2], pred0)  # builds the compiled loss eagerly, so that tracing never creates state
    many = _evaluator(model, len(dirs))

    def evaluate(part: np.ndarray) -> Any:
        return many(tf.constant(part), x_t, y_t, w0, dirs_t, non_trainable)
    alphas = np.linspace(-span, span, resolution)
    if d2 is None:
        coeffs = alphas[:, None]
    else:
        betas_grid, alphas_grid = np.meshgrid(alphas, alphas, indexing="ij")
        coeffs = np.column_stack([alphas_grid.ravel(), betas_grid.ravel()])
    coeffs = coeffs.astype(np.float32)
    chunk = _chunk_size(len(x), sum(int(np.prod(s)) for s in shapes))
    n_chunks = math.ceil(len(coeffs) / chunk)
    chunk = math.ceil(len(coeffs) / n_chunks)  # equal chunks: one trace, no retracing
    values = []
    # One traced function per model is by design; TensorFlow's "retracing" warning (it counts
    # traces of the same Python function across models) would only alarm a learner.
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        for start in range(0, len(coeffs), chunk):
            part = coeffs[start:start + chunk]
            if len(part) < chunk:  # pad the last chunk to the traced shape
                part = np.concatenate([part, np.repeat(part[-1:], chunk - len(part), axis=0)])
            values.append(np.asarray(evaluate(part)))
    finally:
        logger.setLevel(level)
    losses = np.concatenate(values)[:len(coeffs)].astype(np.float64)
    if d2 is None:
        return alphas, None, losses
    return alphas, alphas.copy(), losses.reshape(resolution, resolution)


def loss_at(surface: tuple[np.ndarray, np.ndarray, np.ndarray], alpha: float,
            beta: float) -> float:
    """The loss of a ``loss_surface`` plane at ``(alpha, beta)``, read off its grid.

    Between grid points the value is interpolated from the four around it (bilinear,
    SciPy's ``RegularGridInterpolator``); outside the grid it is NaN, because the plane
    was not measured there. Where an optimizer's projected path ends, this is the loss the
    contours *claim* for that point; the run's own training loss there can differ, since
    the path leaves the plane.
    """
    alphas, betas, grid = surface
    if betas is None:
        raise ValueError("loss_at needs a plane (loss_surface with d2); this is a 1-D slice.")
    read = RegularGridInterpolator((betas, alphas), grid, bounds_error=False,
                                   fill_value=np.nan)
    return float(read([[checks.number("beta", beta), checks.number("alpha", alpha)]])[0])


# -- paths in the plane ----------------------------------------------------------------------
def _as_matrix(weight_path: Any, center_flat: np.ndarray, shapes: list[tuple[int, ...]]) -> np.ndarray:
    if isinstance(weight_path, np.ndarray) and weight_path.ndim == 2:
        if weight_path.shape[1] != center_flat.size:
            raise ValueError(f"weight_path as an array must have shape (n, {center_flat.size}) "
                             f"(flattened weight sets), got {weight_path.shape}.")
        return weight_path.astype(np.float64)
    if isinstance(weight_path, str) or not isinstance(weight_path, Sequence | np.ndarray) \
            or len(weight_path) == 0:
        raise ValueError("weight_path must be a non-empty list of weight sets (each a list of "
                         "arrays like model.get_weights() of the trainable weights) or an array "
                         "(n, P) of flattened weight sets.")
    rows = [flatten(_as_direction(f"weight_path[{i}]", w, shapes)) for i, w in enumerate(weight_path)]
    return np.stack(rows)


def project(weight_path: Any, center: Sequence[Any], d1: Sequence[Any],
            d2: Sequence[Any]) -> np.ndarray:
    """Coordinates (α, β), shape ``(n, 2)``, of each recorded weight set in the plane.

    Each weight set ``w_t`` (a list of arrays shaped like ``center``; or the rows of an
    ``(n, P)`` array of flattened weights) is written as ``center + α·d1 + β·d2 + r``
    with the residual ``r`` as short as possible (least squares). A point in the
    plane comes back exactly; a point off the plane comes back as its nearest point
    in the plane, and ``r`` is what the picture cannot show (``off_plane_fraction``
    measures it per step). ``d1`` and ``d2`` need not be orthogonal, only independent.
    """
    center_list = [np.asarray(c, dtype=np.float32) for c in center]
    shapes = [c.shape for c in center_list]
    basis = np.column_stack([flatten(_as_direction("d1", d1, shapes)),
                             flatten(_as_direction("d2", d2, shapes))])
    if np.linalg.matrix_rank(basis) < 2:
        raise ValueError("d1 and d2 are parallel (or one is zero): they span a line, not a plane.")
    center_flat = flatten(center_list)
    path = _as_matrix(weight_path, center_flat, shapes)
    coords, *_ = np.linalg.lstsq(basis, (path - center_flat).T, rcond=None)
    return coords.T


def pca_directions(weight_path: Any, center: Sequence[Any]) -> tuple[list[np.ndarray],
                                                                    list[np.ndarray], np.ndarray]:
    """The first two principal directions of ``weight_path - center``, and each one's share.

    Returns ``(d1, d2, explained)``: two unit-length directions shaped like ``center``
    and the fraction of the path's variance (around its own mean) that each captures.
    The plane follows the path it was computed from, so two optimizers' paths each get
    their own plane; to compare optimizers, fit it to all paths together.
    """
    center_list = [np.asarray(c, dtype=np.float32) for c in center]
    shapes = [c.shape for c in center_list]
    matrix = _as_matrix(weight_path, flatten(center_list), shapes) - flatten(center_list)
    if len(matrix) < 3:
        raise ValueError("a PCA plane needs at least 3 recorded weight sets.")
    centered = matrix - matrix.mean(axis=0)
    # Fewer points than weights: the eigenvectors of the small Gram matrix (n x n) give the
    # principal directions at a fraction of a full SVD's cost.
    values, vectors = np.linalg.eigh(centered @ centered.T)
    order = np.argsort(values)[::-1][:2]
    top = np.clip(values[order], 1e-300, None)
    directions = (centered.T @ vectors[:, order]) / np.sqrt(top)
    explained = top / max(float(np.clip(values, 0, None).sum()), 1e-300)
    return (unflatten(directions[:, 0], center_list), unflatten(directions[:, 1], center_list),
            explained)


# -- recording a path ------------------------------------------------------------------------
def _batches(n: int, epochs: int, batch_size: int, seed: int) -> np.ndarray:
    """Sample indices, shape (steps, batch_size): a fresh shuffle each epoch, full batches only."""
    rng = np.random.default_rng(seed)
    per_epoch = n // batch_size
    return np.concatenate([rng.permutation(n)[:per_epoch * batch_size].reshape(per_epoch, batch_size)
                           for _ in range(epochs)]).astype(np.int32)


def train_path(model: Any, x: Any, y: Any, epochs: int = 5, batch_size: int = 32, seed: int = 0,
               learning_rate: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Train the compiled ``model`` with its own optimizer and record the weights after every step.

    The loop is what ``fit`` does (mini-batches of the compiled loss, ``model.optimizer``'s
    update), written as one TensorFlow function so that recording every step costs
    almost nothing. Each epoch draws a fresh shuffle from ``seed`` and uses full batches
    only (the remainder of ``len(x) / batch_size`` samples is skipped that epoch), so
    two optimizers trained from the same weights with the same seed see the same batches.

    The optimizer's state (moments, step count) is reset to zero first, and with
    ``learning_rate`` its rate is set: calling this again on the same model (after
    ``model.set_weights(start)``) reuses the traced function and costs only the steps.

    Returns ``(path, epoch_losses)``: ``path`` of shape ``(steps + 1, P)``, the flattened
    trainable weights at the start and after each step (``unflatten`` gives weight sets),
    and the mean training-batch loss of each epoch.
    """
    import tensorflow as tf

    checks.whole("epochs", epochs, low=1)
    checks.whole("batch_size", batch_size, low=1)
    if learning_rate is not None:
        checks.number("learning_rate", learning_rate, low=0, low_open=True)
    loss = _loss_fn(model)
    x = np.asarray(x, dtype=np.float32) if np.asarray(x).dtype == np.float64 else np.asarray(x)
    y = np.asarray(y)
    if batch_size > len(x):
        raise ValueError(f"batch_size {batch_size} is larger than the {len(x)} samples.")
    optimizer = model.optimizer
    variables = model.trainable_variables
    if not optimizer.built:
        optimizer.build(variables)
    for v in optimizer.variables:
        v.assign(tf.zeros(v.shape, v.dtype))
    if learning_rate is not None:
        optimizer.learning_rate = float(learning_rate)
    cache = model.__dict__.setdefault("_course_train_path", {})
    run = cache.get(id(optimizer))
    if run is None:
        x_t, y_t = tf.constant(x), tf.constant(y)

        @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32)])
        def run(batches: Any) -> Any:
            steps = tf.shape(batches)[0]
            path = tf.TensorArray(tf.float32, size=steps + 1)
            losses = tf.TensorArray(tf.float32, size=steps)
            path = path.write(0, tf.concat([tf.reshape(v, [-1]) for v in variables], 0))
            for step in tf.range(steps):
                xb, yb = tf.gather(x_t, batches[step]), tf.gather(y_t, batches[step])
                with tf.GradientTape() as tape:
                    value = tf.cast(loss(yb, model(xb, training=True)), tf.float32)
                optimizer.apply_gradients(zip(tape.gradient(value, variables), variables, strict=True))
                losses = losses.write(step, value)
                path = path.write(step + 1, tf.concat([tf.reshape(v, [-1]) for v in variables], 0))
            return path.stack(), losses.stack()

        cache[id(optimizer)] = run
    batches = _batches(len(x), int(epochs), int(batch_size), int(seed))
    path, losses = run(tf.constant(batches))
    per_epoch = np.asarray(losses, dtype=np.float64).reshape(int(epochs), -1).mean(axis=1)
    return np.asarray(path), per_epoch
