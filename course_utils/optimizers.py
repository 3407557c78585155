"""Optimizers as short NumPy kernels that take exactly the steps Keras takes.

Every class here mirrors one of ``keras.optimizers``: same name, same
hyperparameter names, same defaults, and (step for step, up to float rounding)
the same update. ``tests/test_optimizers.py`` holds each kernel against Keras.

The interface is functional, so a learner can see every number that changes::

    >>> import numpy as np
    >>> opt = Adam(learning_rate=0.1)
    >>> params = np.array([1.0, -2.0])
    >>> state = opt.init(params)                  # {"iterations": 0, "m": ..., "v": ...}
    >>> params, state = opt.update(params, 2 * params, state)
    >>> np.round(params, 4)                       # the first Adam step has length ~lr
    array([ 0.9, -1.9])

``update`` is pure: it never changes the arrays it is given, and returns new
parameters and a new state. Parameters may have any shape; every kernel acts
element by element, so a batch of independent problems (say 16 starts of an
optimizer on a 2-D surface, shape ``(16, 2)``) is updated in one call.

Symbols used in the docstrings and the notebooks (see ``docs/notation.md``):
``θ`` parameters, ``g`` gradient, ``η`` learning_rate, ``t`` step counted from 1,
``β`` momentum, ``β₁``/``β₂`` beta_1/beta_2, ``ρ`` rho, ``ε`` epsilon,
``λ`` weight_decay.

Taught in 01_loss_and_gradient_descent (SGD), 03_momentum (SGD with momentum and
Nesterov) and 04_adaptive_methods (everything else).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from course_utils import checks

__all__ = [
    "Optimizer",
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adadelta",
    "Adam",
    "AdamW",
    "Adamax",
    "Nadam",
    "Lion",
    "get",
    "names",
]

State = dict[str, Any]
LearningRate = float | Callable[[int], float]


# Every hyperparameter's allowed range, declared once: (low, high, high_open). The
# constructors pass their values through ``Optimizer._set``, which checks them here.
RANGES: dict[str, tuple[float, float, bool]] = {
    "learning_rate": (0.0, math.inf, True),
    "weight_decay": (0.0, math.inf, True),
    "momentum": (0.0, 1.0, False),
    "rho": (0.0, 1.0, True),
    "beta_1": (0.0, 1.0, True),
    "beta_2": (0.0, 1.0, True),
    "epsilon": (0.0, math.inf, True),
    "initial_accumulator_value": (0.0, math.inf, True),
}


class Optimizer:
    """Base class: learning rate (a number or a schedule), weight decay, the step count.

    Subclasses declare their per-parameter state arrays in ``slots()`` (name: the
    value each starts at), check their hyperparameters with ``_set`` (ranges in
    ``RANGES``) and implement ``_apply(params, grads, state, lr)``, which returns
    the new parameters and the new slot arrays.

    As in Keras, weight decay (when set) shrinks the parameters *before* the
    optimizer's own step, by ``θ ← θ - λ·η·θ``: decoupled from the gradient,
    which is what AdamW (Loshchilov & Hutter, 2019) means by weight decay.
    A schedule is called with the number of steps already taken (0 first).
    """

    name = "optimizer"

    def __init__(self, learning_rate: LearningRate = 0.001, weight_decay: float | None = None):
        if callable(learning_rate):
            self.learning_rate: LearningRate = learning_rate
        else:
            self._set(learning_rate=learning_rate)
        if weight_decay is None:
            self.weight_decay = None
        else:
            self._set(weight_decay=weight_decay)

    def _set(self, **values: Any) -> None:
        """Check each numeric hyperparameter against ``RANGES`` and store it as a float."""
        for name, value in values.items():
            low, high, high_open = RANGES[name]
            setattr(self, name, checks.number(name, value, low=low,
                                              high=None if math.isinf(high) else high,
                                              high_open=high_open))

    def slots(self) -> dict[str, float]:
        """The per-parameter state arrays this optimizer keeps, with the value each starts at."""
        return {}

    # -- the public, pure interface -------------------------------------------------
    def init(self, params: Any) -> State:
        """Return the starting state for ``params``: the step count and zeroed slots."""
        params = _as_params(params)
        state: State = {"iterations": 0}
        for slot, start in self.slots().items():
            state[slot] = np.full_like(params, start)
        return state

    def update(self, params: Any, grads: Any, state: State) -> tuple[np.ndarray, State]:
        """Take one step. Returns ``(new_params, new_state)``; the inputs are not changed."""
        params = _as_params(params)
        grads = np.asarray(grads, dtype=params.dtype)
        if grads.shape != params.shape:
            raise ValueError(
                f"grads must have the shape of params {params.shape}, got {grads.shape}."
            )
        if not isinstance(state, dict) or "iterations" not in state:
            raise ValueError("state must be the dict returned by init(params) or update(...).")
        return self.step(params, grads, state)

    def learning_rate_at(self, iterations: int) -> float:
        """The learning rate used by the step taken after ``iterations`` steps."""
        lr = self.learning_rate
        return float(lr(iterations)) if callable(lr) else lr

    def get_config(self) -> dict[str, Any]:
        """The hyperparameters, named as in Keras (enough to rebuild the optimizer)."""
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def step(self, params: np.ndarray, grads: np.ndarray, state: State) -> tuple[np.ndarray, State]:
        """``update`` without its input checks, for hot loops (``trajectories`` takes
        thousands of steps per slider move). ``params`` and ``grads`` must already be float
        arrays of one shape and ``state`` what ``init`` or a previous step returned."""
        t = state["iterations"]
        lr = self.learning_rate_at(t)
        if self.weight_decay is not None:
            params = params - params * (self.weight_decay * lr)
        params, new_state = self._apply(params, grads, state, lr)
        new_state["iterations"] = t + 1
        return params, new_state

    def _apply(
        self, params: np.ndarray, grads: np.ndarray, state: State, lr: float
    ) -> tuple[np.ndarray, State]:
        raise NotImplementedError


def _as_params(params: Any) -> np.ndarray:
    """Parameters as a float array (float64 unless already floating point)."""
    arr = np.asarray(params)
    if arr.dtype.kind != "f":
        if arr.dtype.kind not in "iub":
            raise ValueError(f"params must be a numeric array, got dtype {arr.dtype}.")
        arr = arr.astype(np.float64)
    return arr


class SGD(Optimizer):
    """Gradient descent, optionally with (Nesterov) momentum.

    Plain (``momentum=0``):  θ ← θ - η·g

    With momentum β, Keras keeps a velocity ``v`` (state ``"momentum"``)::

        v ← β·v - η·g
        θ ← θ + v                       (heavy ball, Polyak 1964)
        θ ← θ + β·v - η·g               (nesterov=True, the "look-ahead" form)

    Keras's default learning rate for SGD is 0.01 (0.001 for the others).
    """

    name = "sgd"

    def __init__(
        self,
        learning_rate: LearningRate = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float | None = None,
    ):
        super().__init__(learning_rate, weight_decay)
        self._set(momentum=momentum)
        self.nesterov = bool(nesterov)

    def slots(self) -> dict[str, float]:
        return {"momentum": 0.0} if self.momentum != 0 else {}

    def _apply(self, params, grads, state, lr):
        if self.momentum == 0:
            return params - grads * lr, {}
        step = -grads * lr
        v = state["momentum"] * self.momentum + step
        if self.nesterov:
            return params + (v * self.momentum + step), {"momentum": v}
        return params + v, {"momentum": v}


class Adagrad(Optimizer):
    """AdaGrad: each coordinate's step shrinks with the sum of its squared gradients.

    ::

        G ← G + g²                      (G starts at initial_accumulator_value)
        θ ← θ - η·g / √(G + ε)

    Note where Keras puts ε: inside the square root.
    """

    name = "adagrad"

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        weight_decay: float | None = None,
    ):
        super().__init__(learning_rate, weight_decay)
        self._set(initial_accumulator_value=initial_accumulator_value, epsilon=epsilon)

    def slots(self) -> dict[str, float]:
        return {"accumulator": self.initial_accumulator_value}

    def _apply(self, params, grads, state, lr):
        acc = state["accumulator"] + grads * grads
        return params - lr * grads / np.sqrt(acc + self.epsilon), {"accumulator": acc}


class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a moving root-mean-square of recent gradients.

    ::

        s ← ρ·s + (1-ρ)·g²                          (state "velocity")
        ḡ ← ρ·ḡ + (1-ρ)·g                           (centered=True only)
        Δ = η·g / √(s + ε)         or  η·g / √(s - ḡ² + ε)  when centered
        θ ← θ - Δ                                   (momentum=0)
        u ← β·u + Δ;  θ ← θ - u                     (momentum β > 0)

    The gradient is *scaled* by 1/√s; article 004 divides the accumulator by
    itself instead, which is a different (and wrong) update.
    """

    name = "rmsprop"

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        weight_decay: float | None = None,
    ):
        super().__init__(learning_rate, weight_decay)
        self._set(rho=rho, momentum=momentum, epsilon=epsilon)
        self.centered = bool(centered)

    def slots(self) -> dict[str, float]:
        out = {"velocity": 0.0}
        if self.momentum > 0:
            out["momentum"] = 0.0
        if self.centered:
            out["average_gradient"] = 0.0
        return out

    def _apply(self, params, grads, state, lr):
        rho = self.rho
        new: State = {"velocity": rho * state["velocity"] + (1 - rho) * (grads * grads)}
        if self.centered:
            avg = rho * state["average_gradient"] + (1 - rho) * grads
            new["average_gradient"] = avg
            denominator = new["velocity"] - avg * avg + self.epsilon
        else:
            denominator = new["velocity"] + self.epsilon
        increment = lr * grads / np.sqrt(denominator)
        if self.momentum > 0:
            new["momentum"] = self.momentum * state["momentum"] + increment
            return params - new["momentum"], new
        return params - increment, new


class Adadelta(Optimizer):
    """Adadelta: RMSprop whose step size is set by the RMS of past *updates*.

    ::

        E[g²] ← ρ·E[g²] + (1-ρ)·g²
        Δθ    = -√(E[Δθ²] + ε) / √(E[g²] + ε) · g
        E[Δθ²] ← ρ·E[Δθ²] + (1-ρ)·Δθ²
        θ ← θ + η·Δθ

    The paper has no learning rate (η = 1); Keras keeps one, default 0.001, which
    makes Adadelta crawl unless you raise it (try 1.0).
    """

    name = "adadelta"

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        rho: float = 0.95,
        epsilon: float = 1e-7,
        weight_decay: float | None = None,
    ):
        super().__init__(learning_rate, weight_decay)
        self._set(rho=rho, epsilon=epsilon)

    def slots(self) -> dict[str, float]:
        return {"accumulated_grad": 0.0, "accumulated_delta_var": 0.0}

    def _apply(self, params, grads, state, lr):
        rho, eps = self.rho, self.epsilon
        acc_g = rho * state["accumulated_grad"] + (1 - rho) * (grads * grads)
        delta = -(np.sqrt(state["accumulated_delta_var"] + eps) * grads) / np.sqrt(acc_g + eps)
        acc_d = rho * state["accumulated_delta_var"] + (1 - rho) * (delta * delta)
        return params + lr * delta, {"accumulated_grad": acc_g, "accumulated_delta_var": acc_d}


class Adam(Optimizer):
    """Adam: momentum on the gradient (m) and RMSprop's scaling (v), both bias-corrected.

    The paper's form, with t the step counted from 1::

        m ← β₁·m + (1-β₁)·g            v ← β₂·v + (1-β₂)·g²
        m̂ = m / (1-β₁ᵗ)                v̂ = v / (1-β₂ᵗ)
        θ ← θ - η·m̂ / (√v̂ + ε)

    Keras runs the equivalent "efficient" form from the paper's section 2: it folds
    both corrections into the step size and adds ε to √v, not to √v̂::

        α = η·√(1-β₂ᵗ) / (1-β₁ᵗ)
        θ ← θ - α·m / (√v + ε)

    (so Keras's ε is the paper's "ε-hat"). ``amsgrad=True`` divides by the running
    maximum of v instead of v (Reddi et al., 2018).
    """

    name = "adam"

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        weight_decay: float | None = None,
    ):
        super().__init__(learning_rate, weight_decay)
        self._set(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
        self.amsgrad = bool(amsgrad)

    def slots(self) -> dict[str, float]:
        return {"m": 0.0, "v": 0.0, "v_hat": 0.0} if self.amsgrad else {"m": 0.0, "v": 0.0}

    def _apply(self, params, grads, state, lr):
        t = state["iterations"] + 1
        b1, b2 = self.beta_1, self.beta_2
        alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        m = state["m"] + (grads - state["m"]) * (1 - b1)
        v = state["v"] + (grads * grads - state["v"]) * (1 - b2)
        new: State = {"m": m, "v": v}
        if self.amsgrad:
            v = new["v_hat"] = np.maximum(state["v_hat"], v)
        return params - (m * alpha) / (np.sqrt(v) + self.epsilon), new


class AdamW(Adam):
    """Adam with decoupled weight decay λ (default 0.004, as in Keras).

    Before each Adam step the parameters shrink: θ ← θ - λ·η·θ. Unlike an L2
    penalty added to the loss, this decay never passes through m and v, so
    coordinates with large gradients are not decayed less (Loshchilov & Hutter, 2019).
    """

    name = "adamw"

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
    ):
        if weight_decay is None:
            raise ValueError("AdamW needs a weight_decay (a number >= 0); use Adam for none.")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay)


class Adamax(Optimizer):
    """Adamax: Adam with the infinity norm in place of the RMS.

    ::

        m ← β₁·m + (1-β₁)·g
        u ← max(β₂·u, |g|)
        θ ← θ - η·m / ((1-β₁ᵗ)·(u + ε))
    """

    name = "adamax"

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        weight_decay: float | None = None,
    ):
        super().__init__(learning_rate, weight_decay)
        self._set(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)

    def slots(self) -> dict[str, float]:
        return {"m": 0.0, "u": 0.0}

    def _apply(self, params, grads, state, lr):
        t = state["iterations"] + 1
        m = state["m"] + (grads - state["m"]) * (1 - self.beta_1)
        u = np.maximum(self.beta_2 * state["u"], np.abs(grads))
        step = (lr * m) / ((1 - self.beta_1**t) * (u + self.epsilon))
        return params - step, {"m": m, "u": u}


class Nadam(Optimizer):
    """Nadam: Adam with Nesterov momentum (Dozat, 2016), as Keras implements it.

    Keras warms the momentum up with the schedule μₜ = β₁·(1 - ½·0.96ᵗ) and keeps
    the running product Πₜ = μ₁·…·μₜ (state ``"u_product"``)::

        m ← β₁·m + (1-β₁)·g              v ← β₂·v + (1-β₂)·g²
        m̂ = μₜ₊₁·m / (1-Πₜ·μₜ₊₁) + (1-μₜ)·g / (1-Πₜ)
        v̂ = v / (1-β₂ᵗ)
        θ ← θ - η·m̂ / (√v̂ + ε)

    Note the exponent: Keras 3 uses 0.96ᵗ, where Dozat's paper (and Keras 2)
    used 0.96^(t/250).
    """

    name = "nadam"

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        weight_decay: float | None = None,
    ):
        super().__init__(learning_rate, weight_decay)
        self._set(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)

    def slots(self) -> dict[str, float]:
        # Keras keeps the momentum schedule's running product as one scalar; here it is an
        # array of equal values, so every piece of state is declared the same way.
        return {"m": 0.0, "v": 0.0, "u_product": 1.0}

    def _apply(self, params, grads, state, lr):
        t = state["iterations"] + 1
        b1, b2 = self.beta_1, self.beta_2
        u_t = b1 * (1.0 - 0.5 * 0.96**t)
        u_t1 = b1 * (1.0 - 0.5 * 0.96 ** (t + 1))
        u_product = state["u_product"] * u_t
        u_product_t1 = u_product * u_t1
        m = state["m"] + (grads - state["m"]) * (1 - b1)
        v = state["v"] + (grads * grads - state["v"]) * (1 - b2)
        m_hat = (u_t1 * m) / (1 - u_product_t1) + ((1 - u_t) * grads) / (1 - u_product)
        v_hat = v / (1 - b2**t)
        step = (m_hat * lr) / (np.sqrt(v_hat) + self.epsilon)
        return params - step, {"m": m, "v": v, "u_product": u_product}


class Lion(Optimizer):
    """Lion (Chen et al., 2023): move every coordinate by exactly ±η, the sign of a momentum.

    ::

        c = β₁·m + (1-β₁)·g
        θ ← θ - η·sign(c)
        m ← β₂·m + (1-β₂)·g

    Because each step has length η per coordinate, Lion wants a learning rate
    3-10x smaller than Adam's.
    """

    name = "lion"

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.99,
        weight_decay: float | None = None,
    ):
        super().__init__(learning_rate, weight_decay)
        self._set(beta_1=beta_1, beta_2=beta_2)

    def slots(self) -> dict[str, float]:
        return {"m": 0.0}

    def _apply(self, params, grads, state, lr):
        m = state["m"]
        step = lr * np.sign(m * self.beta_1 + grads * (1.0 - self.beta_1))
        return params - step, {"m": m * self.beta_2 + grads * (1.0 - self.beta_2)}


_CLASSES: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Adagrad, RMSprop, Adadelta, Adam, AdamW, Adamax, Nadam, Lion)
}


def names() -> list[str]:
    """The optimizer names ``get`` accepts (Keras's, in lower case)."""
    return list(_CLASSES)


def get(identifier: str | Optimizer | Any, **hyperparameters: Any) -> Optimizer:
    """Build an optimizer from a name, like ``keras.optimizers.get``.

    ``identifier`` is a Keras name in any case (``"adam"``, ``"RMSprop"``), an
    ``Optimizer`` (returned as is when no hyperparameters are given), or a Keras
    optimizer object, whose configuration is copied so the NumPy kernel takes the
    same steps::

        >>> get("Adam", learning_rate=0.01)
        Adam(learning_rate=0.01, weight_decay=None, beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=False)
    """
    if isinstance(identifier, Optimizer):
        if hyperparameters:
            return type(identifier)(**{**identifier.get_config(), **hyperparameters})
        return identifier
    if hasattr(identifier, "get_config") and not isinstance(identifier, str):
        config = identifier.get_config()
        cls = _lookup(type(identifier).__name__)
        accepted = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
        kwargs = {k: config[k] for k in accepted if k in config}
        lr = getattr(identifier, "_learning_rate", None)
        if callable(lr):  # a Keras schedule: evaluate it step by step
            kwargs["learning_rate"] = lambda step, _lr=lr: float(_lr(step))
        return cls(**{**kwargs, **hyperparameters})
    if not isinstance(identifier, str):
        raise ValueError(
            f"Expected an optimizer name such as 'adam' or an optimizer object, got {identifier!r}."
        )
    return _lookup(identifier)(**hyperparameters)


def _lookup(name: str) -> type[Optimizer]:
    key = name.strip().lower()
    if key not in _CLASSES:
        raise ValueError(f"Unknown optimizer {name!r}. Choose one of: {', '.join(_CLASSES)}.")
    return _CLASSES[key]


# The explorers (and chapter 04's race) know the two momentum flavours of SGD by name too.
EXPLORER_NAMES = ["sgd", "momentum", "nesterov", *[n for n in _CLASSES if n != "sgd"]]


def make_optimizer(name: str, learning_rate: float) -> Optimizer:
    """An optimizer from an explorer name: Keras's names plus "momentum" and "nesterov"
    (SGD with momentum 0.9, heavy ball or Nesterov)."""
    if name == "momentum":
        return SGD(learning_rate, momentum=0.9)
    if name == "nesterov":
        return SGD(learning_rate, momentum=0.9, nesterov=True)
    return get(name, learning_rate=learning_rate)
