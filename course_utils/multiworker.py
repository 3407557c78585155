"""Multi-worker data-parallel training for real: worker processes on 127.0.0.1.

``launch(num_workers=2)`` starts that many Python processes, each told who it is
through the ``TF_CONFIG`` environment variable (the cluster's addresses and its own
index), exactly as on a real cluster where each machine runs the same script. They
form a ``tf.distribute.MultiWorkerMirroredStrategy``, train the same small model on
their shards of the data, average gradients every step (all-reduce), and each writes
its final weights; ``launch`` then stops them all, whatever happened.

Why a custom training loop and not ``model.fit``? With Keras 3, ``model.fit`` under
``MultiWorkerMirroredStrategy`` fails ("Attempt to convert a value (PerReplica...)",
keras-team/keras issue 20585, open at the time of writing). ``launch(try_fit=True)``
shows it: each worker first tries ``fit`` and reports the error it got. The loop below
is the pattern TensorFlow documents for custom training and it works: a distributed
dataset, a ``tf.function`` step that calls ``strategy.run``, a loss averaged over the
*global* batch with ``tf.nn.compute_average_loss``, and ``strategy.reduce`` for the logs.

Only the *chief* (worker 0 when the cluster names no "chief" task) writes the
checkpoint: every worker holds the same weights, and several writers to one path
would overwrite each other (``launch(checkpoint_dir=...)``).

Run one worker by hand: ``TF_CONFIG='...' python -m course_utils.multiworker --out DIR``.
Taught in 11_fast_training_and_scaling.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["MultiWorkerResult", "launch", "tf_config", "is_chief", "TRUE_WEIGHTS"]

TRUE_WEIGHTS = np.array([2.0, -1.0, 0.5])
TRUE_BIAS = 0.3


def tf_config(ports: list[int], index: int) -> dict:
    """The ``TF_CONFIG`` for worker ``index`` of a cluster on 127.0.0.1."""
    return {"cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
            "task": {"type": "worker", "index": index}}


def _free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def is_chief(task_type: str | None, task_id: int | None) -> bool:
    """The worker that writes checkpoints and logs: the "chief" task, else worker 0.

    ``task_type`` and ``task_id`` come from ``strategy.cluster_resolver``; a process
    outside any cluster (task_type None) is its own chief.
    """
    return task_type in (None, "chief") or (task_type == "worker" and task_id == 0)


def _try_fit(strategy, dataset, seed: int) -> str:
    """Try ``model.fit`` under the strategy; '' if it trained, else the error it raised."""
    import keras

    keras.utils.set_random_seed(seed)
    with strategy.scope():
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    try:
        model.fit(dataset, epochs=1, steps_per_epoch=2, verbose=0)
    except Exception as err:  # noqa: BLE001 - the whole point is to report what fit raised
        return f"{type(err).__name__}: {err}"
    return ""


def _train(out: Path, steps: int, global_batch_size: int, learning_rate: float, seed: int,
           try_fit: bool = False, checkpoint_dir: Path | None = None) -> None:
    """One worker's whole job (runs inside the worker process)."""
    import keras
    import tensorflow as tf

    strategy = tf.distribute.MultiWorkerMirroredStrategy()  # reads TF_CONFIG
    index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
    resolver = strategy.cluster_resolver
    chief = is_chief(resolver.task_type, resolver.task_id)

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(4096, 3)).astype("float32")
    y = (x @ TRUE_WEIGHTS + TRUE_BIAS + rng.normal(scale=0.1, size=4096)).astype("float32")
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    dataset = (tf.data.Dataset.from_tensor_slices((x, y)).shuffle(4096, seed=seed).repeat()
               .batch(global_batch_size).with_options(options))
    fit_error = _try_fit(strategy, dataset, seed) if try_fit else ""
    distributed = strategy.experimental_distribute_dataset(dataset)  # each worker: its shard

    keras.utils.set_random_seed(seed)  # same initial weights on every worker
    with strategy.scope():  # variables created here are mirrored on every worker
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        optimizer = keras.optimizers.SGD(learning_rate=learning_rate)

    @tf.function
    def train_step(iterator):
        def step_fn(inputs):
            xb, yb = inputs
            with tf.GradientTape() as tape:
                per_example = tf.square(model(xb, training=True)[:, 0] - yb)
                # Divide by the GLOBAL batch size: the all-reduce then sums to the true mean.
                loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_batch_size)
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
            return loss

        per_replica = strategy.run(step_fn, args=(next(iterator),))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

    iterator = iter(distributed)
    start = time.perf_counter()
    losses = [float(train_step(iterator)) for _ in range(steps)]
    seconds = time.perf_counter() - start
    kernel, bias = (np.asarray(v) for v in model.get_weights())
    if checkpoint_dir is not None and chief:  # one writer: the chief
        model.save_weights(str(checkpoint_dir / "model.weights.h5"))
    np.savez(out / f"worker{index}.npz", losses=np.array(losses), kernel=kernel, bias=bias,
             seconds=seconds, num_replicas=strategy.num_replicas_in_sync, chief=chief,
             fit_error=np.array(fit_error))


@dataclass(frozen=True)
class MultiWorkerResult:
    """What each worker ended with: weights, loss per step, training time."""

    kernels: list[np.ndarray]
    biases: list[np.ndarray]
    losses: list[np.ndarray]
    seconds: list[float]
    num_replicas: int
    wall_seconds: float
    chief: list[bool] = field(default_factory=list)
    fit_errors: list[str] = field(default_factory=list)

    @property
    def workers_agree(self) -> bool:
        """True when every worker holds the same weights (they should, to the last bit)."""
        return all(np.array_equal(k, self.kernels[0]) for k in self.kernels) and all(
            np.array_equal(b, self.biases[0]) for b in self.biases)


def launch(num_workers: int = 2, steps: int = 60, global_batch_size: int = 64,
           learning_rate: float = 0.1, seed: int = 0, timeout: float = 120.0,
           try_fit: bool = False, checkpoint_dir: str | Path | None = None) -> MultiWorkerResult:
    """Start ``num_workers`` workers on 127.0.0.1, wait for them, and tear them down.

    Every worker runs on the CPU (``CUDA_VISIBLE_DEVICES=""``), so the demo behaves
    the same on any laptop. Raises ``RuntimeError`` with the workers' logs if one fails
    or the run exceeds ``timeout`` seconds; no worker process outlives this call.

    ``try_fit=True``: each worker first tries ``model.fit`` under the strategy and the
    result's ``fit_errors`` holds what it raised ('' where it trained). With
    ``checkpoint_dir``, the chief alone saves ``model.weights.h5`` there.
    """
    if not 1 <= num_workers <= 8:
        raise ValueError(f"num_workers must be between 1 and 8, got {num_workers}.")
    if steps < 1 or global_batch_size % num_workers:
        raise ValueError("steps must be >= 1 and global_batch_size divisible by num_workers.")
    if checkpoint_dir is not None and not Path(checkpoint_dir).is_dir():
        raise ValueError(f"checkpoint_dir must be an existing folder, got {checkpoint_dir!r}.")
    ports = _free_ports(num_workers)
    with tempfile.TemporaryDirectory(prefix="multiworker-") as tmp:
        out = Path(tmp)
        procs, logs = [], []
        start = time.perf_counter()
        try:
            for index in range(num_workers):
                env = {**os.environ, "TF_CONFIG": json.dumps(tf_config(ports, index)),
                       "CUDA_VISIBLE_DEVICES": "", "TF_CPP_MIN_LOG_LEVEL": "2"}
                log = open(out / f"worker{index}.log", "w")  # noqa: SIM115 - closed in finally
                logs.append(log)
                cmd = [sys.executable, "-m", "course_utils.multiworker", "--out", str(out),
                       "--steps", str(steps), "--global-batch-size", str(global_batch_size),
                       "--learning-rate", str(learning_rate), "--seed", str(seed)]
                if try_fit:
                    cmd.append("--try-fit")
                if checkpoint_dir is not None:
                    cmd += ["--checkpoint-dir", str(Path(checkpoint_dir).resolve())]
                procs.append(subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                              **_own_process_group()))
            deadline = time.monotonic() + timeout
            while any(p.poll() is None for p in procs):
                if time.monotonic() > deadline or any(p.returncode not in (None, 0) for p in procs):
                    break
                time.sleep(0.2)
        finally:
            for p in procs:
                if p.poll() is None:
                    _kill(p)
                p.wait()
            for log in logs:
                log.close()
        wall = time.perf_counter() - start
        if any(p.returncode != 0 for p in procs):
            tails = "\n".join(f"--- worker {i} (exit {p.returncode}) ---\n"
                              + (out / f"worker{i}.log").read_text()[-1500:]
                              for i, p in enumerate(procs))
            raise RuntimeError(f"a worker failed or timed out after {timeout:.0f} s:\n{tails}")
        results = []
        for i in range(num_workers):  # read into memory: Windows cannot delete an open file
            with np.load(out / f"worker{i}.npz", allow_pickle=False) as arrays:
                results.append({key: arrays[key] for key in arrays.files})
        return MultiWorkerResult(
            kernels=[r["kernel"] for r in results], biases=[r["bias"] for r in results],
            losses=[r["losses"] for r in results], seconds=[float(r["seconds"]) for r in results],
            num_replicas=int(results[0]["num_replicas"]), wall_seconds=wall,
            chief=[bool(r["chief"]) for r in results],
            fit_errors=[str(r["fit_error"]) for r in results])


def _own_process_group() -> dict[str, Any]:
    """Popen options that start a worker in its own process group, so it can be stopped
    with everything it started (POSIX: a new session; Windows: a new process group)."""
    if os.name == "nt":
        return {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200)}
    return {"start_new_session": True}


def _kill(process: subprocess.Popen) -> None:
    """Stop a worker that overran: its whole process group on POSIX, the process on Windows."""
    with contextlib.suppress(ProcessLookupError, OSError):
        if os.name == "nt":
            process.kill()
        else:
            os.killpg(process.pid, signal.SIGKILL)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="One worker of the multi-worker demo.")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--global-batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--try-fit", action="store_true")
    parser.add_argument("--checkpoint-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    if "TF_CONFIG" not in os.environ:
        raise SystemExit("TF_CONFIG is not set: use multiworker.launch() or set it by hand.")
    _train(args.out, args.steps, args.global_batch_size, args.learning_rate, args.seed,
           try_fit=args.try_fit, checkpoint_dir=args.checkpoint_dir)


if __name__ == "__main__":
    main()
