"""Two real worker processes on 127.0.0.1 train with MultiWorkerMirroredStrategy and agree."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import multiworker


def test_two_workers_train_and_agree_on_the_weights() -> None:
    result = multiworker.launch(num_workers=2, steps=40)
    assert result.num_replicas == 2
    assert result.workers_agree, "mirrored variables must be identical on every worker"
    np.testing.assert_allclose(result.kernels[0].ravel(), multiworker.TRUE_WEIGHTS, atol=0.05)
    assert result.losses[0][-1] < 0.05 * result.losses[0][0]
    np.testing.assert_array_equal(result.losses[0], result.losses[1])  # reduced across workers


def test_tf_config_names_every_worker_and_this_one() -> None:
    config = multiworker.tf_config([1111, 2222], 1)
    assert config["cluster"]["worker"] == ["127.0.0.1:1111", "127.0.0.1:2222"]
    assert config["task"] == {"type": "worker", "index": 1}


@pytest.mark.parametrize("kwargs", [{"num_workers": 0}, {"num_workers": 9},
                                    {"global_batch_size": 63}, {"steps": 0}])
def test_bad_arguments(kwargs) -> None:
    with pytest.raises(ValueError):
        multiworker.launch(**kwargs)


def test_a_run_past_its_timeout_is_reported_and_torn_down() -> None:
    import psutil

    before = {p.pid for p in psutil.Process().children(recursive=True)}
    with pytest.raises(RuntimeError, match="timed out"):
        multiworker.launch(num_workers=2, steps=5, timeout=0.5)
    after = {p.pid for p in psutil.Process().children(recursive=True)}
    assert after <= before, "no worker process may outlive launch()"
