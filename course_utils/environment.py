"""What this machine has: versions against the pins, devices, datasets, and the usual set-up.

The welcome notebook calls ``report()``; every chapter starts with ``setup(seed=0)``.
TensorFlow is imported only when a function needs it, so ``import course_utils`` stays fast.
"""

from __future__ import annotations

import contextlib
import os
import platform
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

__all__ = ["Check", "pinned_versions", "version_checks", "device_checks", "dataset_checks",
           "import_tensorflow_quietly", "import_checks", "keras_fit_check", "widget_check", "preflight", "report", "setup"]

ROOT = Path(__file__).resolve().parents[1]

# The packages a learner cares about, in the order the report shows them.
KEY_PACKAGES = ("tensorflow", "keras", "numpy", "scikit-learn", "matplotlib", "ipywidgets",
                "jupyterlab")


@dataclass(frozen=True)
class Check:
    """One line of the environment report: what was checked, whether it passed, what to do."""

    name: str
    ok: bool
    detail: str
    fix: str = ""

    def __str__(self) -> str:
        mark = "ok " if self.ok else "!! "
        line = f"{mark}{self.name:<22} {self.detail}"
        return line if self.ok or not self.fix else f"{line}\n   -> {self.fix}"


def pinned_versions(requirements: Path | None = None) -> dict[str, str]:
    """``{package: version}`` from requirements.txt (empty if the file is not beside the package)."""
    path = requirements or ROOT / "requirements.txt"
    if not path.exists():
        return {}
    pins = {}
    for line in path.read_text().splitlines():
        match = re.match(r"\s*([A-Za-z0-9_.\-]+)(?:\[.*\])?==([\w.]+)", line)
        if match:
            pins[match[1].lower().replace("_", "-")] = match[2]
    return pins


def version_checks() -> list[Check]:
    """Python and the key packages, each compared with its pin."""
    checks = [
        Check(
            "python",
            (3, 11) <= sys.version_info[:2] <= (3, 13),
            platform.python_version(),
            "the pinned packages need Python 3.11, 3.12 or 3.13: install one and rebuild .venv "
            "(make clean, then make lab PYTHON=python3.11)",
        )
    ]
    pins = pinned_versions()
    for name in KEY_PACKAGES:
        want = pins.get(name)
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            checks.append(Check(name, False, "not installed", "run `make lab` from the course folder"))
            continue
        ok = want is None or have == want
        detail = have if ok else f"{have} (the course pins {want})"
        checks.append(Check(name, ok, detail, "run `make lab` to install the pinned versions"))
    return checks


def device_checks() -> list[Check]:
    """The CPU and any GPU TensorFlow sees (a missing GPU is fine: every chapter runs on a CPU)."""
    import_tensorflow_quietly(start_runtime=True)
    import tensorflow as tf

    cpus = tf.config.list_physical_devices("CPU")
    gpus = tf.config.list_physical_devices("GPU")
    checks = [Check("CPU", bool(cpus), f"{len(cpus)} device(s), {os.cpu_count()} cores")]
    if gpus:
        names = ", ".join(
            tf.config.experimental.get_device_details(g).get("device_name", g.name) for g in gpus
        )
        checks.append(Check("GPU", True, names))
    else:
        checks.append(
            Check("GPU", True, "none: every chapter runs on the CPU; chapter 11 says what a GPU adds")
        )
    return checks


def dataset_checks() -> list[Check]:
    """Which datasets work offline: digits always (it ships with scikit-learn), MNIST if cached."""
    from course_utils import data

    checks = []
    try:
        digits = data.load_digits()
        total = len(digits.x_train) + len(digits.x_val) + len(digits.x_test)
        checks.append(Check("digits (8x8)", True, f"{total} images, offline"))
    except Exception as err:  # a broken scikit-learn install
        checks.append(Check("digits (8x8)", False, str(err), "reinstall with `make lab`"))
    for name in ("mnist.npz", "fashion-mnist"):
        path = data.keras_cache_dir() / name
        label = name.removesuffix(".npz")
        if path.exists():
            checks.append(Check(label, True, f"cached at {path} (used with COURSE_REAL_DATA=1)"))
        else:
            checks.append(
                Check(label, True, "not cached: the chapters use the digits (`make check` "
                      "downloads it once, for COURSE_REAL_DATA=1)")
            )
    return checks


def import_checks() -> list[Check]:
    """Every course_utils module imports (a broken install shows up here, not mid-chapter)."""
    import importlib
    import pkgutil

    import course_utils

    failed = []
    for info in pkgutil.iter_modules(course_utils.__path__):
        try:
            importlib.import_module(f"course_utils.{info.name}")
        except Exception as err:  # report every broken module, do not stop at the first
            failed.append(f"{info.name} ({type(err).__name__}: {err})")
    if failed:
        return [Check("course_utils", False, "cannot import " + "; ".join(failed),
                      "run `make lab` (it reinstalls the package)")]
    return [Check("course_utils", True, "every module imports")]


def keras_fit_check() -> Check:
    """A tiny Keras model trains for a few steps and its loss goes down."""
    try:
        import keras

        keras.utils.set_random_seed(0)
        x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
        y = x @ np.array([1.0, -2.0, 0.5, 3.0], dtype="float32")
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")
        history = model.fit(x, y, epochs=5, batch_size=16, verbose=0)
        losses = history.history["loss"]
        ok = losses[-1] < losses[0]
        return Check("keras fit", ok, f"loss {losses[0]:.2f} -> {losses[-1]:.2f}",
                     "the loss should fall; reinstall with `make lab`")
    except Exception as err:
        return Check("keras fit", False, f"{type(err).__name__}: {err}", "reinstall with `make lab`")


def widget_check() -> Check:
    """An explorer builds and renders a picture (the JupyterLab side is checked by the browser tests)."""
    try:
        from course_utils import widgets

        explorer = widgets.slope_explorer()
        before = bytes(explorer.view.image.value)
        explorer.controls["slope"].value = 1.0
        ok = bytes(explorer.view.image.value) != before and before.startswith(b"\x89PNG")
        return Check("widgets", ok, "an explorer redraws when its slider moves",
                     "reinstall with `make lab`")
    except Exception as err:
        return Check("widgets", False, f"{type(err).__name__}: {err}", "reinstall with `make lab`")


def preflight(print_it: bool = True) -> list[Check]:
    """The workshop pre-flight check (``make check``): everything ``report`` does, plus
    imports, a tiny Keras fit and an explorer render. Under a minute once installed."""
    import_tensorflow_quietly(start_runtime=True)
    checks = (version_checks() + import_checks() + device_checks() + dataset_checks()
              + [keras_fit_check(), widget_check()])
    if print_it:
        _print(checks)
    return checks


def _print(checks: list[Check]) -> None:
    for check in checks:
        print(check)
    bad = [c for c in checks if not c.ok]
    print(f"\n{len(checks) - len(bad)} of {len(checks)} checks passed."
          + ("" if not bad else " Fix the lines marked !! before the workshop."))


def report(print_it: bool = True) -> list[Check]:
    """Versions, devices and datasets; prints one line each, with a fix for each problem."""
    checks = version_checks() + device_checks() + dataset_checks()
    if print_it:
        _print(checks)
    return checks


@contextlib.contextmanager
def _stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for the duration (Python errors still propagate)."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def import_tensorflow_quietly(start_runtime: bool = False) -> None:
    """Import TensorFlow (and optionally start its runtime) without its C++ start-up lines.

    Those lines (oneDNN, CUDA probing) are written straight to file descriptor 2 before
    TensorFlow reads its log level, so ``TF_CPP_MIN_LOG_LEVEL`` cannot silence them; a
    learner would see them as red text in the first cell of every chapter. Starting the
    runtime fixes the device list: configure devices (``hardware.split_cpu``) before.
    """
    if "tensorflow" not in sys.modules:
        with _stderr_silenced():
            import tensorflow  # noqa: F401
    if start_runtime:
        import tensorflow

        with _stderr_silenced():
            tensorflow.config.list_logical_devices()


def setup(seed: int = 0, keras: bool = False) -> None:
    """Seed Python, NumPy (and Keras, TensorFlow when ``keras=True``); quiet TensorFlow's logs.

    Every chapter calls this first, so that a run gives the same numbers every time.
    With ``keras=True`` it starts TensorFlow's runtime, so device settings
    (``hardware.split_cpu``, ``hardware.enable_memory_growth``) must come before it.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    random.seed(seed)
    np.random.seed(seed)
    if keras:
        import_tensorflow_quietly(start_runtime=True)
        import keras as _keras
        import tensorflow as _tf

        _tf.get_logger().setLevel("WARNING")  # INFO lines (strategy internals) are not for learners

        _keras.utils.set_random_seed(seed)


if __name__ == "__main__":
    import sys

    if "--fetch-data" in sys.argv[1:]:  # `make check`: fill the dataset cache before the day
        from course_utils import data

        for kind, what in data.fetch_datasets().items():
            print(f"{kind}: {what}")
    results = preflight()
    sys.exit(0 if all(c.ok for c in results) else 1)
