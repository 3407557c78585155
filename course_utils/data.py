"""Datasets that work offline, with fixed seeds and clear messages.

- ``load_digits``: scikit-learn's bundled 8x8 handwritten digits (1,797 images, no
  download ever), as images ``(N, 8, 8, 1)`` or flat ``(N, 64)``, split three ways.
- ``load_mnist``: real MNIST or Fashion-MNIST when the file is already in the Keras
  cache or downloads within a few seconds, its hash checked; otherwise it says so and
  falls back to digits. ``COURSE_OFFLINE=1`` (set by ``make test``) forbids the download.
- Synthetic sets made in code: ``make_regression``, ``make_moons``, ``make_imbalanced``,
  ``make_tabular`` (mixed scales, missing values, a categorical column), ``text_corpus``.

Nothing is ever unpickled: ``.npz`` files are read with ``allow_pickle=False`` and the
Fashion-MNIST files are parsed from their raw IDX bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn import datasets as _sk
from sklearn.model_selection import train_test_split

__all__ = ["Split", "offline", "load_digits", "load_mnist", "make_regression", "make_moons",
           "make_imbalanced", "make_tabular", "text_corpus", "keras_cache_dir"]

MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
FASHION_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FASHION_MD5 = {  # from the dataset's own repository (zalandoresearch/fashion-mnist)
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
}


@dataclass(frozen=True)
class Split:
    """Training, validation and test arrays, plus what they are.

    ``name`` says which dataset was really loaded (``"digits"`` after a fallback),
    so a notebook can print it and never mislabel a result.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    name: str
    num_classes: int

    def __repr__(self) -> str:
        return (f"Split({self.name}: train {self.x_train.shape}, val {self.x_val.shape}, "
                f"test {self.x_test.shape}, {self.num_classes} classes)")


def offline() -> bool:
    """True when downloads are forbidden (``COURSE_OFFLINE=1``, as in ``make test``)."""
    return os.environ.get("COURSE_OFFLINE", "0").lower() in ("1", "true", "yes")


def real_data_requested() -> bool:
    """True when the learner asked for real MNIST (``COURSE_REAL_DATA=1``, ``make lab REAL_DATA=1``).

    Off by default, so that every laptop in a workshop trains on the same digits and
    shows the same numbers as its neighbours and the instructor's screen.
    """
    return os.environ.get("COURSE_REAL_DATA", "0").lower() in ("1", "true", "yes")


def keras_cache_dir() -> Path:
    """Where Keras keeps downloaded datasets (``$KERAS_HOME/datasets`` or ``~/.keras/datasets``)."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets"


def _split(x: np.ndarray, y: np.ndarray, name: str, val_size: float, test_size: float,
           seed: int) -> Split:
    if not (0 < test_size < 1 and 0 <= val_size < 1 and val_size + test_size < 1):
        raise ValueError("test_size and val_size must be fractions in (0, 1) with a sum below 1, "
                         f"got test_size={test_size}, val_size={val_size}.")
    x_rest, x_test, y_rest, y_test = train_test_split(x, y, test_size=test_size, random_state=seed,
                                                      stratify=y)
    if val_size == 0:
        x_train, x_val, y_train, y_val = x_rest, x_rest[:0], y_rest, y_rest[:0]
    else:
        x_train, x_val, y_train, y_val = train_test_split(
            x_rest, y_rest, test_size=val_size / (1 - test_size), random_state=seed, stratify=y_rest)
    return Split(x_train, y_train, x_val, y_val, x_test, y_test, name, int(y.max()) + 1)


def load_digits(images: bool = True, val_size: float = 0.2, test_size: float = 0.2,
                seed: int = 0) -> Split:
    """scikit-learn's 8x8 digits, pixels scaled to [0, 1], stratified three-way split.

    ``images=True`` gives ``(N, 8, 8, 1)`` float32 (for convolutional networks),
    ``False`` gives ``(N, 64)`` (for dense networks). Labels are integers 0-9.
    """
    digits = _sk.load_digits()
    x = (digits.images / 16.0).astype("float32")
    x = x[..., None] if images else x.reshape(len(x), -1)
    return _split(x, digits.target.astype("int64"), "digits", val_size, test_size, seed)


def _download(url: str, dest: Path, timeout: float) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(dest.suffix + ".part")
    with urllib.request.urlopen(url, timeout=timeout) as response, open(tmp, "wb") as out:
        out.write(response.read())
    tmp.replace(dest)


def _digest(path: Path, algorithm: str) -> str:
    return hashlib.new(algorithm, path.read_bytes()).hexdigest()


def _read_idx(path: Path) -> np.ndarray:
    """Parse an IDX file (the MNIST family's raw format): magic, dims, then uint8 data."""
    raw = gzip.decompress(path.read_bytes())
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def _fetch(kind: str, timeout: float) -> tuple[np.ndarray, ...]:
    """Load (x_train, y_train, x_test, y_test) from the cache, downloading if allowed."""
    cache = keras_cache_dir()
    if kind == "mnist":
        path = cache / "mnist.npz"
        if not path.exists():
            if offline():
                raise FileNotFoundError("not cached and COURSE_OFFLINE=1")
            _download(MNIST_URL, path, timeout)
        if _digest(path, "sha256") != MNIST_SHA256:
            raise ValueError(f"{path} does not have MNIST's SHA-256; delete it to download again")
        with np.load(path, allow_pickle=False) as f:
            return f["x_train"], f["y_train"], f["x_test"], f["y_test"]
    folder = cache / "fashion-mnist"
    arrays = {}
    for fname, md5 in FASHION_MD5.items():
        path = folder / fname
        if not path.exists():
            if offline():
                raise FileNotFoundError("not cached and COURSE_OFFLINE=1")
            _download(FASHION_URL + fname, path, timeout)
        if _digest(path, "md5") != md5:
            raise ValueError(f"{path} does not have the published MD5; delete it to download again")
        arrays[fname] = _read_idx(path)
    return (arrays["train-images-idx3-ubyte.gz"], arrays["train-labels-idx1-ubyte.gz"],
            arrays["t10k-images-idx3-ubyte.gz"], arrays["t10k-labels-idx1-ubyte.gz"])


def load_mnist(kind: str = "mnist", images: bool = True, val_size: float = 0.1,
               timeout: float = 5.0, seed: int = 0, verbose: bool = True,
               real: bool | None = None) -> Split:
    """Real MNIST (``kind="mnist"``) or Fashion-MNIST (``"fashion_mnist"``) when asked, else digits.

    By default (``real=None``) the real dataset is used only when the learner asked for
    it with ``COURSE_REAL_DATA=1`` (``make lab REAL_DATA=1``); otherwise this returns
    scikit-learn's digits and says so, so a workshop's laptops all show the same numbers
    and nothing is downloaded in the room. When real data is asked for, the Keras cache
    is used if the file is there (its hash checked; ``make check`` fills the cache before
    a workshop), else a download limited to ``timeout`` seconds, unless
    ``COURSE_OFFLINE=1``. On any failure it prints which dataset it fell back to: the
    split's ``name`` always says what you really got. Pixels are scaled to [0, 1];
    images are ``(N, 28, 28, 1)`` (or ``(N, 784)`` with ``images=False``).
    """
    if kind not in ("mnist", "fashion_mnist"):
        raise ValueError(f"kind must be 'mnist' or 'fashion_mnist', got {kind!r}.")
    if not (real_data_requested() if real is None else real):
        if verbose:
            print(f"using scikit-learn's 8x8 digits (the course default: the same numbers on every "
                  f"laptop); for real {kind}, start with COURSE_REAL_DATA=1 (make lab REAL_DATA=1).")
        return load_digits(images=images, seed=seed)
    try:
        x_train, y_train, x_test, y_test = _fetch(kind, timeout)
    except (OSError, ValueError) as err:
        if verbose:
            print(f"{kind} is not available ({err}); using scikit-learn's 8x8 digits instead.")
        return load_digits(images=images, seed=seed)
    x_train = (x_train / 255.0).astype("float32")
    x_test = (x_test / 255.0).astype("float32")
    if images:
        x_train, x_test = x_train[..., None], x_test[..., None]
    else:
        x_train, x_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    x_train, x_val, y_train, y_val = train_test_split(
        x_train, y_train.astype("int64"), test_size=val_size, random_state=seed,
        stratify=y_train)
    return Split(x_train, y_train, x_val, y_val, x_test, y_test.astype("int64"), kind, 10)


def fetch_datasets(timeout: float = 120.0) -> dict[str, str]:
    """Download MNIST and Fashion-MNIST into the Keras cache once, hash-checked (``make check``).

    Run before a workshop, where the network is good: afterwards ``COURSE_REAL_DATA=1``
    works offline. Returns ``{dataset: what happened}``; never raises for a network
    failure (the course runs on the digits without these).
    """
    status = {}
    for kind in ("mnist", "fashion_mnist"):
        try:
            x_train = _fetch(kind, timeout)[0]
            status[kind] = f"cached and hash-checked ({len(x_train):,} training images)"
        except (OSError, ValueError) as err:
            status[kind] = f"not available ({err}); the course uses the digits instead"
    return status


def make_regression(n: int = 200, noise: float = 0.5, slope: float = 2.0, intercept: float = -1.0,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``y = slope·x + intercept + noise`` with x in [-3, 3]; returns ``(x (n, 1), y (n,))``."""
    if n < 2 or noise < 0:
        raise ValueError(f"need n >= 2 and noise >= 0, got n={n}, noise={noise}.")
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, size=(n, 1))
    y = slope * x[:, 0] + intercept + rng.normal(scale=noise, size=n)
    return x.astype("float32"), y.astype("float32")


def make_moons(n: int = 500, noise: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (scikit-learn), a classic non-linear 2-D problem."""
    x, y = _sk.make_moons(n_samples=n, noise=noise, random_state=seed)
    return x.astype("float32"), y.astype("int64")


def make_imbalanced(n: int = 2000, minority: float = 0.05, num_features: int = 10,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A binary problem where only ``minority`` of the samples are positive (class 1)."""
    if not 0 < minority < 0.5:
        raise ValueError(f"minority must be a fraction in (0, 0.5), got {minority}.")
    x, y = _sk.make_classification(n_samples=n, n_features=num_features, n_informative=4,
                                   weights=[1 - minority], flip_y=0.01, class_sep=1.0,
                                   random_state=seed)
    return x.astype("float32"), y.astype("int64")


def make_tabular(n: int = 600, missing: float = 0.1, seed: int = 0) -> dict[str, np.ndarray]:
    """A small house-price-like table: features on very different scales, gaps, a category.

    Returns a dict of columns: ``area`` (m², ~50-250), ``rooms`` (1-6), ``age`` (years,
    with ``missing`` of them NaN), ``distance`` (metres to the centre, ~100-20,000),
    ``city`` (one of "north", "south", "east", "west") and the target ``price``.
    """
    if not 0 <= missing < 1:
        raise ValueError(f"missing must be a fraction in [0, 1), got {missing}.")
    rng = np.random.default_rng(seed)
    area = rng.uniform(50, 250, n)
    rooms = np.clip(np.round(area / 45 + rng.normal(0, 0.7, n)), 1, 6)
    age = rng.uniform(0, 80, n)
    distance = rng.lognormal(mean=8, sigma=0.8, size=n).clip(100, 20_000)
    city = rng.choice(np.array(["north", "south", "east", "west"]), n)
    bonus = {"north": 40.0, "south": 0.0, "east": 15.0, "west": -10.0}
    price = (2.0 * area + 12 * rooms - 0.8 * age - 0.01 * distance
             + np.vectorize(bonus.get)(city) + rng.normal(0, 15, n))
    age = np.where(rng.uniform(size=n) < missing, np.nan, age)
    return {"area": area.astype("float32"), "rooms": rooms.astype("float32"),
            "age": age.astype("float32"), "distance": distance.astype("float32"),
            "city": city, "price": price.astype("float32")}


_POSITIVE = ["great", "excellent", "lovely", "fast", "helpful", "clear", "fun", "wonderful"]
_NEGATIVE = ["slow", "broken", "boring", "confusing", "awful", "noisy", "rude", "late"]
_NOUNS = ["course", "laptop", "lecture", "service", "book", "film", "meal", "train"]


def text_corpus(n: int = 400, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Short review-like sentences of varied length and their sentiment (1 positive, 0 negative).

    Made in code from small word lists, so ``TextVectorization`` has a vocabulary,
    out-of-vocabulary words and sentences to pad or truncate, without any download.
    """
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for _ in range(n):
        label = int(rng.integers(2))
        words = _POSITIVE if label else _NEGATIVE
        noun = rng.choice(_NOUNS)
        adjectives = " and ".join(rng.choice(words, size=int(rng.integers(1, 4)), replace=False))
        tail = " really" * int(rng.integers(0, 4))
        texts.append(f"the {noun} was {adjectives}{tail}")
        labels.append(label)
    return texts, np.array(labels, dtype="int64")
