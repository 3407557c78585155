"""Offline datasets: shapes, seeds, splits, the fallback message, no pickle."""

from __future__ import annotations

import gzip
import hashlib

import numpy as np
import pytest

from course_utils import data


def test_digits_images_and_flat() -> None:
    split = data.load_digits()
    assert split.name == "digits" and split.num_classes == 10
    assert split.x_train.shape[1:] == (8, 8, 1) and split.x_train.dtype == np.float32
    total = len(split.x_train) + len(split.x_val) + len(split.x_test)
    assert total == 1797
    assert 0.0 <= split.x_train.min() and split.x_train.max() <= 1.0
    flat = data.load_digits(images=False)
    assert flat.x_test.shape[1:] == (64,)
    np.testing.assert_array_equal(flat.y_test, split.y_test)  # same seed, same split


def test_digits_split_is_stratified_and_disjoint() -> None:
    split = data.load_digits(images=False)
    rows = {r.tobytes() for r in split.x_train}
    assert not rows & {r.tobytes() for r in split.x_test}
    counts = np.bincount(split.y_test, minlength=10)
    assert counts.min() >= 30  # every class in the test set


def test_bad_fractions() -> None:
    with pytest.raises(ValueError, match="fractions"):
        data.load_digits(test_size=0.6, val_size=0.5)


def test_mnist_falls_back_offline_and_says_so(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    split = data.load_mnist(real=True)
    assert split.name == "digits"
    assert "using scikit-learn's 8x8 digits instead" in capsys.readouterr().out
    with pytest.raises(ValueError, match="kind"):
        data.load_mnist("cifar")


def test_mnist_from_cache_is_hash_checked(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    folder = tmp_path / "datasets"
    folder.mkdir()
    rng = np.random.default_rng(0)
    np.savez(folder / "mnist.npz", x_train=rng.integers(0, 255, (20, 28, 28), dtype=np.uint8),
             y_train=np.arange(20) % 10, x_test=np.zeros((5, 28, 28), np.uint8),
             y_test=np.arange(5))
    # A file with the wrong hash is refused, not trusted.
    monkeypatch.setenv("COURSE_REAL_DATA", "1")
    assert data.load_mnist().name == "digits"
    assert "SHA-256" in capsys.readouterr().out
    digest = hashlib.sha256((folder / "mnist.npz").read_bytes()).hexdigest()
    monkeypatch.setattr(data, "MNIST_SHA256", digest)
    split = data.load_mnist(val_size=0.5)
    assert split.name == "mnist" and split.x_train.shape[1:] == (28, 28, 1)
    assert split.x_test.shape == (5, 28, 28, 1)


def test_idx_parser(tmp_path) -> None:
    arr = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    header = bytes([0, 0, 8, 3]) + b"".join(d.to_bytes(4, "big") for d in arr.shape)
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(header + arr.tobytes()))
    np.testing.assert_array_equal(data._read_idx(path), arr)


def test_synthetic_sets_are_seeded() -> None:
    x1, y1 = data.make_regression(seed=3)
    x2, y2 = data.make_regression(seed=3)
    np.testing.assert_array_equal(y1, y2)
    assert x1.shape == (200, 1)
    x, y = data.make_moons(100)
    assert x.shape == (100, 2) and set(np.unique(y)) == {0, 1}
    x, y = data.make_imbalanced(2000, minority=0.05)
    assert 0.03 < y.mean() < 0.08
    table = data.make_tabular(300, missing=0.2)
    assert np.isnan(table["age"]).mean() == pytest.approx(0.2, abs=0.06)
    assert table["distance"].max() > 100 * table["rooms"].max()
    texts, labels = data.text_corpus(50)
    assert len(texts) == 50 and labels.shape == (50,)
    assert texts == data.text_corpus(50)[0]
    with pytest.raises(ValueError):
        data.make_imbalanced(minority=0.7)


def test_mnist_only_when_asked_so_every_laptop_shows_the_same_numbers(monkeypatch, tmp_path,
                                                                      capsys) -> None:
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.delenv("COURSE_REAL_DATA", raising=False)
    monkeypatch.setenv("COURSE_OFFLINE", "0")  # even with the network allowed ...
    monkeypatch.setattr(data, "_download", lambda *a: pytest.fail("downloaded unasked"))
    assert data.load_mnist().name == "digits"  # ... nothing is fetched unless asked
    assert "COURSE_REAL_DATA=1" in capsys.readouterr().out


def test_fetch_datasets_reports_instead_of_raising(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    status = data.fetch_datasets()
    assert set(status) == {"mnist", "fashion_mnist"}
    assert all("not available" in s for s in status.values())
