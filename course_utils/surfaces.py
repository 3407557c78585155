"""Two-dimensional test functions for watching optimizers move.

Each surface is a loss ``f(x, y)`` with an exact (analytic) gradient, its known
minima, a plotting window and a default start that makes an interesting path.
``value`` and ``grad`` work on one point or on many at once: ``xy`` has shape
``(..., 2)``, ``value(xy)`` has shape ``(...)`` and ``grad(xy)`` shape ``(..., 2)``.

>>> from course_utils import surfaces
>>> surfaces.names()[:3]
['quadratic', 'rosenbrock', 'beale']
>>> s = surfaces.get("rosenbrock")
>>> s.minima, s.min_value
([(1.0, 1.0)], 0.0)
>>> s.grad([[1.0, 1.0], [0.0, 0.0]]).tolist()
[[0.0, 0.0], [-2.0, 0.0]]

Taught in 01_loss_and_gradient_descent (quadratic, saddle, booth),
03_momentum (quadratic, rosenbrock) and 04_adaptive_methods (all of them).
"""

from __future__ import annotations

import inspect
import math
import reprlib
from typing import Any

import numpy as np

from course_utils import checks

__all__ = [
    "Surface",
    "Quadratic",
    "Rosenbrock",
    "Beale",
    "Himmelblau",
    "Saddle",
    "Booth",
    "SixHumpCamel",
    "Rastrigin",
    "names",
    "get",
]


def _points(xy: Any) -> np.ndarray:
    """``xy`` as a float array of shape ``(..., 2)``; cheap when it already is one."""
    try:
        arr = np.asarray(xy)
    except (ValueError, TypeError) as err:  # ragged nested lists
        raise ValueError(
            f"xy must be an array of points with shape (..., 2), e.g. [x, y] or "
            f"[[x0, y0], [x1, y1]]; could not make an array of {reprlib.repr(xy)}."
        ) from err
    if arr.dtype.kind != "f":
        if arr.dtype.kind not in "iu":
            raise ValueError(
                f"xy must hold real numbers with shape (..., 2), got dtype {arr.dtype} "
                f"({reprlib.repr(xy)})."
            )
        arr = arr.astype(np.float64)
    if arr.shape[-1:] != (2,):
        raise ValueError(
            f"xy must have shape (..., 2): a last axis of length 2 holding (x, y); "
            f"got shape {arr.shape}."
        )
    return arr


_TWO = np.array(2.0)
_ONES = np.ones(2)  # ``v @ _ONES`` sums the last axis, faster than ``np.sum``


class Surface:
    """A 2-D loss surface: value, analytic gradient, minima, window and start.

    Attributes (read-only):
        name: the name ``get`` knows it by, e.g. ``"rosenbrock"``.
        description: one line saying what the surface teaches.
        params: the parameters it was built with, e.g. ``{"a": 1.0, "b": 100.0}``.
        minima: list of the global minima as ``(x, y)`` tuples (empty when the
            surface is unbounded below, like the saddle).
        min_value: ``f`` at the minima, or ``None`` when unbounded below.
        window: ``((xmin, xmax), (ymin, ymax))``, a plotting window that holds
            the minima and the start.
        start: default start ``(x, y)``.

    A subclass writes ``_value(x, y)`` and ``_grad(x, y) -> (df/dx, df/dy)``
    once, for Python floats (one point, the fast path) and for coordinate arrays
    alike; it may add an in-place ``_grad_into(x, y, out)`` or override
    ``value``/``grad`` when the whole ``(..., 2)`` array gives a faster formula.
    ``value`` and ``grad`` never raise on NaN or inf coordinates: a diverging
    path gives NaN/inf losses, not an exception.
    """

    name: str = ""
    description: str = ""

    def __init__(
        self,
        *,
        params: dict[str, float],
        minima: list[tuple[float, float]],
        min_value: float | None,
        window: tuple[tuple[float, float], tuple[float, float]],
        start: tuple[float, float],
    ) -> None:
        object.__setattr__(self, "params", dict(params))
        object.__setattr__(self, "_minima", tuple((float(x), float(y)) for x, y in minima))
        object.__setattr__(self, "min_value", None if min_value is None else float(min_value))
        object.__setattr__(self, "window", tuple((float(lo), float(hi)) for lo, hi in window))
        object.__setattr__(self, "start", (float(start[0]), float(start[1])))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(
            f"Surface objects are read-only; make a new one with "
            f"surfaces.get({self.name!r}, ...) instead of setting {name!r}."
        )

    @property
    def minima(self) -> list[tuple[float, float]]:
        """The global minima as a (fresh) list of ``(x, y)`` tuples."""
        return list(self._minima)

    def value(self, xy: Any) -> np.ndarray:
        """``f`` at each point of ``xy`` (shape ``(..., 2)``); returns shape ``(...)``."""
        xy = _points(xy)
        if xy.ndim == 1:  # one point: Python floats beat ufuncs on 0-d arrays
            return xy.dtype.type(self._value(*xy.tolist()))
        return self._value(xy[..., 0], xy[..., 1])

    def grad(self, xy: Any) -> np.ndarray:
        """The gradient ``(df/dx, df/dy)`` at each point; ``(..., 2)`` in, ``(..., 2)`` out."""
        xy = _points(xy)
        if xy.ndim == 1:
            return np.array(self._grad(*xy.tolist()), dtype=xy.dtype)
        out = np.empty_like(xy)
        self._grad_into(xy[..., 0], xy[..., 1], out)
        return out

    def hessian(self, xy: Any = None) -> np.ndarray:
        """The 2x2 matrix of second derivatives at one point (``None``: the first minimum).

        Its eigenvalues are the curvatures μ ≤ L that the quadratic theory of
        ``course_utils.quadratic`` needs (stability limit 2/L, condition number L/μ).
        Surfaces with a closed form override ``_hessian``; the others take central
        differences of the analytic gradient, accurate to about 1e-7 relative.
        """
        if xy is None:
            if not self._minima:
                raise ValueError(f"the {self.name} surface has no minimum; pass a point xy.")
            xy = self._minima[0]
        point = _points(xy)
        if point.shape != (2,):
            raise ValueError(f"xy must be one point (x, y), got shape {point.shape}.")
        out = np.array(self._hessian(float(point[0]), float(point[1])), dtype=float)
        return 0.5 * (out + out.T)

    def _hessian(self, x: float, y: float) -> Any:
        h = 1e-5 * max(1.0, abs(x), abs(y))
        steps = np.array([[h, 0.0], [0.0, h]])
        point = np.array([x, y])
        return np.stack([(self.grad(point + d) - self.grad(point - d)) / (2.0 * h) for d in steps])

    # Subclasses write the formulas once, with operators that work on floats and arrays
    # alike (``x * x``, not ``x ** 2``, which raises OverflowError on large floats).
    def _value(self, x: Any, y: Any) -> Any:
        raise NotImplementedError

    def _grad(self, x: Any, y: Any) -> tuple[Any, Any]:
        raise NotImplementedError

    def _grad_into(self, x: np.ndarray, y: np.ndarray, out: np.ndarray) -> None:
        out[..., 0], out[..., 1] = self._grad(x, y)

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.params.items())
        return f"surfaces.get({self.name!r}{args})"


class Quadratic(Surface):
    """An ill-conditioned bowl, ``f = ½ xᵀ A x``: the surface every optimizer is judged on.

    ``A = R diag(μ, L) Rᵀ`` with curvature ``L = 1`` along the (rotated) y axis,
    ``μ = 1/κ`` along the (rotated) x axis, and ``R`` a rotation by ``rotation``
    degrees counter-clockwise. ``κ = condition = L/μ`` is the condition number.
    The minimum is ``(0, 0)`` with ``f = 0``; the gradient is ``A xy``.

    Why it matters: gradient descent with learning rate η multiplies the error
    along each eigenvector by ``1 - η λ``. It converges for ``η < 2/L = 2`` (here
    always 2: the stability limit), and the slow direction shrinks by only
    ``1 - η/κ`` per step, so the larger κ, the more steps (momentum's
    ``√κ`` speed-up is measured on this surface). With ``rotation`` non-zero the
    valley no longer lines up with the axes, which hurts per-coordinate
    (adaptive) methods such as AdaGrad and Adam.

    Extra attributes: ``eigenvalues = (μ, L)`` and ``matrix = A`` (2x2, read-only), which is
    also ``hessian(xy)`` at every point.

    >>> s = get("quadratic", condition=10)
    >>> s.eigenvalues
    (0.1, 1.0)
    >>> s.grad([1.0, 1.0]).tolist()
    [0.1, 1.0]

    Taught in 01_loss_and_gradient_descent (the 2/L limit), 03_momentum and
    04_adaptive_methods (rotation).
    """

    name = "quadratic"
    description = "Ill-conditioned bowl ½ xᵀAx with condition number κ: zig-zags and the 2/L limit."

    def __init__(self, condition: float = 10.0, rotation: float = 0.0) -> None:
        kappa = checks.number("condition (κ = L/μ)", condition)
        if kappa < 1.0:
            raise ValueError(
                f"condition (κ = L/μ, largest over smallest curvature) must be >= 1, "
                f"got {condition!r}; κ = 1 is a round bowl, κ = 10 a stretched one."
            )
        angle = checks.number("rotation (degrees)", rotation)
        mu, big_l = 1.0 / kappa, 1.0
        c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        rot = np.array([[c, -s], [s, c]])
        hessian = rot @ np.diag([mu, big_l]) @ rot.T
        hessian = 0.5 * (hessian + hessian.T)  # exactly symmetric
        hessian.flags.writeable = False
        start = (c * -4.0 - s * 2.0, s * -4.0 + c * 2.0)  # (-4, 2) turned with the bowl
        super().__init__(
            params={"condition": kappa, "rotation": angle},
            minima=[(0.0, 0.0)],
            min_value=0.0,
            window=((-5.0, 5.0), (-5.0, 5.0)),
            start=start,
        )
        object.__setattr__(self, "eigenvalues", (mu, big_l))
        object.__setattr__(self, "matrix", hessian)

    def value(self, xy: Any) -> np.ndarray:
        xy = _points(xy)
        return 0.5 * np.matmul(xy * np.matmul(xy, self.matrix), _ONES)

    def grad(self, xy: Any) -> np.ndarray:
        return np.matmul(_points(xy), self.matrix)  # A is symmetric: xy A = (A xy)ᵀ

    def _hessian(self, x: float, y: float) -> Any:
        return self.matrix


class Rosenbrock(Surface):
    """Rosenbrock's banana valley, ``f = (a - x)² + b (y - x²)²``.

    The single minimum is ``(a, a²)`` with ``f = 0`` (``(1, 1)`` by default). The
    minimum lies at the end of a long, curved, nearly flat valley with steep
    walls (their steepness grows with ``b``): gradient descent reaches the
    valley at once, then crawls along it; momentum and adaptive methods differ
    most here.
    The default start ``(-1.2, 1)`` is Rosenbrock's own (1960).

    Gradient: ``df/dx = -2(a - x) - 4 b x (y - x²)``, ``df/dy = 2 b (y - x²)``.

    >>> s = get("rosenbrock")
    >>> round(float(s.value([-1.2, 1.0])), 6)
    24.2

    Taught in 03_momentum and 04_adaptive_methods.
    """

    name = "rosenbrock"
    description = "Curved banana valley (a - x)² + b(y - x²)²: easy to enter, slow to follow."

    def __init__(self, a: float = 1.0, b: float = 100.0) -> None:
        a = checks.number("a", a)
        b = checks.number("b", b, low=0.0, low_open=True)
        side = -1.0 if a >= 0 else 1.0  # start on the far side of the valley
        half = max(2.0, abs(a) + 0.8)
        super().__init__(
            params={"a": a, "b": b},
            minima=[(a, a * a)],
            min_value=0.0,
            window=((-half, half), (-1.0, max(3.0, a * a + 1.0))),
            start=(1.2 * side, 1.0),
        )
        object.__setattr__(self, "_a", a)
        object.__setattr__(self, "_b", b)
        # 0-d arrays: ufuncs take them faster than Python floats.
        object.__setattr__(self, "_a_0d", np.array(a))
        object.__setattr__(self, "_two_b_0d", np.array(2.0 * b))

    def _value(self, x: Any, y: Any) -> Any:
        t = y - x * x
        u = self._a - x
        return u * u + self._b * (t * t)

    def _grad(self, x: Any, y: Any) -> tuple[Any, Any]:
        gy = 2.0 * self._b * (y - x * x)
        return 2.0 * (x - self._a - x * gy), gy

    def _hessian(self, x: float, y: float) -> Any:
        b = self._b
        return [[2.0 - 4.0 * b * (y - x * x) + 8.0 * b * x * x, -4.0 * b * x],
                [-4.0 * b * x, 2.0 * b]]

    def _grad_into(self, x: np.ndarray, y: np.ndarray, out: np.ndarray) -> None:
        # Written into ``out`` with no temporaries: this runs thousands of times per redraw.
        gx, gy = out[..., 0], out[..., 1]
        np.multiply(x, x, out=gy)
        np.subtract(y, gy, out=gy)  # t = y - x²
        np.multiply(gy, self._two_b_0d, out=gy)  # df/dy = 2b t
        np.multiply(x, gy, out=gx)
        np.subtract(x, gx, out=gx)
        np.subtract(gx, self._a_0d, out=gx)
        np.multiply(gx, _TWO, out=gx)  # df/dx = 2(x - a - x df/dy)


class _Fixed(Surface):
    """A surface without parameters: a subclass declares its minima, the value there, the
    plotting window and the default start as class constants."""

    MINIMA: tuple[tuple[float, float], ...]
    MIN_VALUE: float | None
    WINDOW: tuple[tuple[float, float], tuple[float, float]]
    START: tuple[float, float]

    def __init__(self) -> None:
        super().__init__(params={}, minima=list(self.MINIMA), min_value=self.MIN_VALUE,
                         window=self.WINDOW, start=self.START)


class Beale(_Fixed):
    """Beale's function, ``f = (1.5 - x + xy)² + (2.25 - x + xy²)² + (2.625 - x + xy³)²``.

    One global minimum at ``(3, 0.5)`` with ``f = 0``. The surface is flat near
    the minimum and along ``x = 0`` but rises like ``x² y⁶`` in the corners of
    its window (values near 10⁵), so the gradient's size changes by many orders
    of magnitude: a learning rate that is safe in one place diverges in another.
    That is the case for adaptive methods (Adam, RMSprop), which rescale each
    coordinate. Plot it with logarithmic contour levels.

    >>> s = get("beale")
    >>> float(s.value([3.0, 0.5])), float(abs(s.grad([3.0, 0.5])).max())
    (0.0, 0.0)

    Taught in 04_adaptive_methods.
    """

    name = "beale"
    description = (
        "Flat centre, steep corners: gradients span orders of magnitude; adaptive methods shine."
    )

    MINIMA = ((3.0, 0.5),)
    MIN_VALUE = 0.0
    WINDOW = ((-4.5, 4.5), (-4.5, 4.5))
    START = (1.0, 1.5)

    def _value(self, x: Any, y: Any) -> Any:
        y2 = y * y
        t1 = 1.5 - x + x * y
        t2 = 2.25 - x + x * y2
        t3 = 2.625 - x + x * (y2 * y)
        return t1 * t1 + t2 * t2 + t3 * t3

    def _grad(self, x: Any, y: Any) -> tuple[Any, Any]:
        y2 = y * y
        y3 = y2 * y
        t1 = 2.0 * (1.5 - x + x * y)
        t2 = 2.0 * (2.25 - x + x * y2)
        t3 = 2.0 * (2.625 - x + x * y3)
        gx = t1 * (y - 1.0) + t2 * (y2 - 1.0) + t3 * (y3 - 1.0)
        return gx, x * (t1 + 2.0 * y * t2 + 3.0 * y2 * t3)


class Himmelblau(_Fixed):
    """Himmelblau's function, ``f = (x² + y - 11)² + (x + y² - 7)²``.

    Four global minima, all with ``f = 0``: ``(3, 2)``, ``(-2.805, 3.131)``,
    ``(-3.779, -3.283)`` and ``(3.584, -1.848)``, plus a local maximum at
    ``(-0.271, -0.923)``. Which minimum an optimizer reaches depends on the start
    and on the optimizer itself: a race from one start can end in different
    places, a first look at non-convex losses. From the default start
    ``(-1.0, -0.5)`` gradient descent (η = 0.01, with or without momentum)
    ends at ``(-3.78, -3.28)`` while Adam (η = 0.1) and RMSprop (η = 0.05) end at
    ``(-2.81, 3.13)``.

    Gradient: with ``u = x² + y - 11`` and ``v = x + y² - 7``,
    ``df/dx = 4 x u + 2 v`` and ``df/dy = 2 u + 4 y v``.

    >>> s = get("himmelblau")
    >>> len(s.minima), float(s.value([3.0, 2.0]))
    (4, 0.0)

    Taught in 04_adaptive_methods.
    """

    name = "himmelblau"
    description = "Four equal minima: where you end up depends on the start and the optimizer."

    MINIMA = (
        (3.0, 2.0),
        (-2.805118086952745, 3.131312518250573),
        (-3.779310253377747, -3.2831859912861696),
        (3.5844283403304917, -1.8481265269644036),
    )
    MIN_VALUE = 0.0
    WINDOW = ((-5.0, 5.0), (-5.0, 5.0))
    START = (-1.0, -0.5)

    def _value(self, x: Any, y: Any) -> Any:
        u = x * x + y - 11.0
        v = x + y * y - 7.0
        return u * u + v * v

    def _grad(self, x: Any, y: Any) -> tuple[Any, Any]:
        u = 2.0 * (x * x + y - 11.0)
        v = 2.0 * (x + y * y - 7.0)
        return 2.0 * x * u + v, u + 2.0 * y * v


class Saddle(_Fixed):
    """The simplest saddle, ``f = x² - y²``: no minimum at all.

    The gradient ``(2x, -2y)`` vanishes at ``(0, 0)``, which is a minimum along
    x and a maximum along y. Gradient descent started almost on the x axis
    (the default start, ``y = 0.01``) slides towards the saddle, slows to a
    crawl where the gradient is tiny, and only then escapes along y; started
    exactly on the axis it never escapes. The loss is unbounded below, so
    ``minima`` is empty and ``min_value`` is ``None``.

    >>> s = get("saddle")
    >>> s.minima, s.min_value, s.grad([1.0, 1.0]).tolist()
    ([], None, [2.0, -2.0])

    Taught in 01_loss_and_gradient_descent and 03_momentum.
    """

    name = "saddle"
    description = "x² - y²: a zero gradient that is not a minimum; escape is slow near it."
    _SIGNS = np.array([1.0, -1.0])
    _GRAD_SIGNS = np.array([2.0, -2.0])

    MINIMA = ()
    MIN_VALUE = None
    WINDOW = ((-2.0, 2.0), (-2.0, 2.0))
    START = (-1.5, 0.01)

    def value(self, xy: Any) -> np.ndarray:
        xy = _points(xy)
        return np.matmul(xy * xy, self._SIGNS)

    def grad(self, xy: Any) -> np.ndarray:
        return _points(xy) * self._GRAD_SIGNS

    def _hessian(self, x: float, y: float) -> Any:
        return np.diag(self._GRAD_SIGNS)


class Booth(_Fixed):
    """Booth's function, ``f = (x + 2y - 7)² + (2x + y - 5)²``.

    A quadratic in disguise: one minimum at ``(1, 3)`` with ``f = 0``, Hessian
    ``[[10, 8], [8, 10]]`` with eigenvalues 2 and 18, so ``κ = 9``, the valley runs
    along ``(1, -1)``, and gradient descent is stable only for ``η < 2/18 ≈ 0.111``.
    The gradient is linear: ``(10x + 8y - 34, 8x + 10y - 38)``.

    >>> s = get("booth")
    >>> s.grad([1.0, 3.0]).tolist()
    [0.0, 0.0]

    Taught in 01_loss_and_gradient_descent.
    """

    name = "booth"
    description = "A tilted quadratic valley (κ = 9) whose centre is off the origin."
    _HESSIAN = np.array([[10.0, 8.0], [8.0, 10.0]])
    _SHIFT = np.array([34.0, 38.0])
    _LINEAR = np.array([[1.0, 2.0], [2.0, 1.0]])
    _TARGET = np.array([7.0, 5.0])

    MINIMA = ((1.0, 3.0),)
    MIN_VALUE = 0.0
    WINDOW = ((-5.0, 7.0), (-3.0, 9.0))
    START = (-4.0, 6.0)

    def value(self, xy: Any) -> np.ndarray:
        r = np.matmul(_points(xy), self._LINEAR) - self._TARGET
        return np.matmul(r * r, _ONES)

    def grad(self, xy: Any) -> np.ndarray:
        return np.matmul(_points(xy), self._HESSIAN) - self._SHIFT

    def _hessian(self, x: float, y: float) -> Any:
        return self._HESSIAN


class SixHumpCamel(_Fixed):
    """The six-hump camel, ``f = (4 - 2.1x² + x⁴/3) x² + xy + (4y² - 4) y²``.

    Two global minima, ``(0.0898, -0.7127)`` and ``(-0.0898, 0.7127)`` with
    ``f = -1.0316``, and four local minima: ``(±1.7036, ∓0.7961)`` with
    ``f = -0.2155`` and ``(±1.6071, ±0.5687)`` with ``f = 2.1043``. Plain gradient
    descent stops in whichever basin it starts in. The default start
    ``(-1.9, -0.6)`` sits in the basin of the highest local minimum,
    ``(-1.61, -0.57)`` with ``f = 2.10``: gradient descent (η = 0.01 to 0.02) and
    Adam (η = 0.01 to 0.1) stop there, while SGD with momentum 0.9 carries enough
    speed to roll over the ridge into the global minimum ``(0.09, -0.71)``.

    Gradient: ``df/dx = 8x - 8.4x³ + 2x⁵ + y``, ``df/dy = x - 8y + 16y³``.

    >>> s = get("six_hump_camel")
    >>> round(s.min_value, 4)
    -1.0316

    Taught in 04_adaptive_methods.
    """

    name = "six_hump_camel"
    description = "Two global and four local minima: does the optimizer roll past a local one?"

    MINIMA = ((0.08984201310031806, -0.7126564030207396),
              (-0.08984201310031806, 0.7126564030207396))
    MIN_VALUE = -1.0316284534898774
    WINDOW = ((-2.0, 2.0), (-1.1, 1.1))
    START = (-1.9, -0.6)

    def _value(self, x: Any, y: Any) -> Any:
        x2 = x * x
        y2 = y * y
        return (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (4.0 * y2 - 4.0) * y2

    def _grad(self, x: Any, y: Any) -> tuple[Any, Any]:
        x2 = x * x
        return x * (8.0 + x2 * (2.0 * x2 - 8.4)) + y, x + y * (16.0 * y * y - 8.0)


class Rastrigin(_Fixed):
    """Rastrigin's function, ``f = 20 + Σ (xᵢ² - 10 cos 2π xᵢ)`` over ``xᵢ = x, y``.

    The global minimum is ``(0, 0)`` with ``f = 0``, inside an egg box of local
    minima near every integer point. A bowl with ripples: the gradient mostly
    points at the nearest ripple, so every local method gets stuck; a large
    learning rate or momentum jumps over some ripples, none is guaranteed to
    find the centre.

    Gradient: ``df/dxᵢ = 2xᵢ + 20π sin 2π xᵢ``.

    >>> s = get("rastrigin")
    >>> float(s.value([0.0, 0.0]))
    0.0

    Taught in 04_adaptive_methods.
    """

    name = "rastrigin"
    description = "A bowl covered in ripples: a local minimum near every integer point."

    MINIMA = ((0.0, 0.0),)
    MIN_VALUE = 0.0
    WINDOW = ((-5.12, 5.12), (-5.12, 5.12))
    START = (-3.3, 2.6)

    def value(self, xy: Any) -> np.ndarray:
        xy = _points(xy)
        return np.matmul(xy * xy - 10.0 * np.cos((2.0 * np.pi) * xy), _ONES) + 20.0

    def grad(self, xy: Any) -> np.ndarray:
        xy = _points(xy)
        return 2.0 * xy + (20.0 * np.pi) * np.sin((2.0 * np.pi) * xy)


_SURFACES: dict[str, type[Surface]] = {
    cls.name: cls
    for cls in (Quadratic, Rosenbrock, Beale, Himmelblau, Saddle, Booth, SixHumpCamel, Rastrigin)
}


def names() -> list[str]:
    """The names ``get`` accepts, in the order the course introduces them."""
    return list(_SURFACES)


def get(name: str | Surface, **params: Any) -> Surface:
    """The surface called ``name`` (any case), built with ``params``.

    A ``Surface`` is returned unchanged. Unknown names or parameters raise
    ``ValueError`` listing what is available.

    >>> get("Quadratic", condition=4).eigenvalues
    (0.25, 1.0)
    """
    if isinstance(name, Surface):
        if params:
            raise ValueError(
                f"got a Surface and parameters {sorted(params)}; pass a name instead, "
                f"e.g. surfaces.get({name.name!r}, **params)."
            )
        return name
    if not isinstance(name, str):
        raise ValueError(f"surface must be a name (one of {names()}) or a Surface, got {name!r}.")
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in _SURFACES:
        raise ValueError(f"unknown surface {name!r}; choose one of {names()}.")
    cls = _SURFACES[key]
    try:
        return cls(**params)
    except TypeError as err:
        accepted = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
        raise ValueError(
            f"surface {key!r} accepts the parameters {accepted or 'none'}, got {sorted(params)}."
        ) from err
