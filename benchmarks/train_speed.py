"""How fast is one training step of dnn_ref, next to PyTorch on the CPU, each at its best?

One full-batch step = forward pass + cost + backward pass + parameter update,
float64, ReLU hidden layers (He initialisation) and a sigmoid output with binary
cross-entropy computed from Z (dnn_ref's ``cost_from_logits`` and ``backprop``;
PyTorch's ``BCEWithLogitsLoss``), on

* the course net: digits, 64-32-16-1, m = 1797;
* the wide net: random data, 1024-512-256-1, m = 4096.

Each side runs in a process of its own, once per thread setting (1 and 2 BLAS
threads, and for dnn_ref also the setting ``dnn_ref.train`` picks by problem
size, :func:`dnn_ref.training.blas_threads`): one process that switched numpy's
and PyTorch's thread pools back and forth would have two pools of spinning
threads competing for the cores, which slows both. Every process is run
``--trials`` times, alternating the sides, and a configuration's figure is its
best median (a shared machine's other jobs only ever slow a run down).

For each net the script prints ms per step at every setting, each side's best,
the ratio dnn_ref best / PyTorch best, and each side's distance from its
matmuls alone: the same products of the same shapes in the same library and
thread setting, timed in the same rounds as the step (what the elementwise
passes and the Python around them add).

PyTorch is not a requirement of the course: without it the script times
dnn_ref alone and says how to add it (``.venv/bin/pip install torch``).

The BLAS decides the figures. Where OPENBLAS_CORETYPE or OPENBLAS_L2_SIZE are
set for an old OpenBLAS's sake, they slow a current one: unset both in the
benchmark's command alone, e.g.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python benchmarks/train_speed.py

The script prints the kernel numpy's OpenBLAS picked and PyTorch's CPU capability.

Run:  .venv/bin/python benchmarks/train_speed.py [--trials N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np

NETS = {"course": ([64, 32, 16, 1], 1797, 20), "wide": ([1024, 512, 256, 1], 4096, 1)}
"""name: (layer_dims, m, steps per timed round)."""
ROUNDS = {"course": 15, "wide": 7}
LEARNING_RATE = 0.1
SETTINGS = {"numpy": ("1", "2", "train"), "torch": ("1", "2")}
"""Thread settings each side is timed at; "train" is dnn_ref.train's own choice."""


# ------------------------------------------------------------------ the two sides' steps

def net_data(name: str) -> tuple[np.ndarray, np.ndarray]:
    """X (n0, m) and 0/1 labels Y (1, m): the standardised digits (is it a 0?) or random."""
    dims, m, _ = NETS[name]
    if name == "course":
        from sklearn.datasets import load_digits

        digits = load_digits()
        X = digits.data.T.astype(np.float64)
        X = (X - X.mean(axis=1, keepdims=True)) / (X.std(axis=1, keepdims=True) + 1e-8)
        return X, (digits.target == 0).astype(np.float64).reshape(1, -1)
    rng = np.random.default_rng(0)
    return rng.standard_normal((dims[0], m)), (rng.random((1, m)) < 0.5).astype(np.float64)


def numpy_step(name: str) -> tuple[Callable[[], None], Callable[[], None]]:
    """dnn_ref's step as train takes it, and its matrix products alone."""
    from dnn_ref.network import (
        backprop,
        cost_from_logits,
        forward_prop,
        init_params,
        update_parameters,
    )

    X, Y = net_data(name)
    dims = NETS[name][0]
    state = {"p": init_params(dims, seed=0, method="he")}

    def step() -> None:
        AL, caches = forward_prop(X, state["p"], "relu")
        cost_from_logits(caches[-1][1], Y)
        grads = backprop(AL, Y, caches, "relu", need_dA0=False)
        state["p"] = update_parameters(state["p"], grads, LEARNING_RATE)

    _, caches = forward_prop(X, state["p"], "relu")

    def matmuls() -> None:
        for l, ((A, W, _), Z) in enumerate(caches, start=1):
            W @ A                           # forward
            Z @ A.T                         # dW (Z stands in for dZ: same shape)
            if l > 1:
                W.T @ Z                     # dA_prev

    return step, matmuls


def torch_step(name: str) -> tuple[Callable[[], None], Callable[[], None]]:
    """The same net in PyTorch (float64, plain SGD, BCEWithLogitsLoss), and its products."""
    import torch

    X, Y = net_data(name)
    dims = NETS[name][0]
    torch.manual_seed(0)
    layers: list[torch.nn.Module] = []
    for i in range(1, len(dims)):
        layers.append(torch.nn.Linear(dims[i - 1], dims[i], dtype=torch.float64))
        if i < len(dims) - 1:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    Xt, Yt = torch.from_numpy(X.T.copy()), torch.from_numpy(Y.T.copy())   # (m, n0): rows

    def step() -> None:
        opt.zero_grad(set_to_none=True)
        loss_fn(model(Xt), Yt).backward()
        opt.step()

    acts = [Xt]
    with torch.no_grad():
        for layer in layers:
            if isinstance(layer, torch.nn.Linear):
                acts.append(layer(acts[-1]))
    weights = [layer.weight.detach() for layer in layers if isinstance(layer, torch.nn.Linear)]

    def matmuls() -> None:
        for l, W in enumerate(weights, start=1):
            A, Z = acts[l - 1], acts[l]
            A @ W.T                         # forward, (m, n_l)
            Z.T @ A                         # dW
            if l > 1:
                Z @ W                       # dA_prev

    return step, matmuls


# ------------------------------------------------------------------ one worker process

def median_ms(fns: dict[str, Callable[[], None]], rounds: int, repeats: int) -> dict[str, float]:
    """Median ms per call of each function, timed round by round in turn (one load for all)."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():
        fn()                                # warm up: first calls allocate
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            for _ in range(repeats):
                fn()
            times[name].append((time.perf_counter() - start) / repeats)
    return {name: statistics.median(t) * 1e3 for name, t in times.items()}


def worker(side: str, name: str, setting: str) -> None:
    """Time one side on one net at one thread setting; print a JSON line."""
    from threadpoolctl import threadpool_info, threadpool_limits

    dims, m, repeats = NETS[name]
    if side == "torch":
        import torch

        torch.set_num_threads(int(setting))
        step, matmuls = torch_step(name)
        kernel = (f"torch {torch.__version__}, CPU capability "
                  f"{torch.backends.cpu.get_cpu_capability()}")
        limits = threadpool_limits(1, user_api="blas")      # numpy's pool stays idle
    else:
        from dnn_ref.training import blas_threads

        step, matmuls = numpy_step(name)
        limits = (blas_threads(dims, m) if setting == "train"
                  else threadpool_limits(int(setting), user_api="blas"))
        kernel = ""
    with limits:
        blas = [lib for lib in threadpool_info()
                if lib["user_api"] == "blas" and "numpy" in lib["filepath"]]
        if side == "numpy":
            kernel = ", ".join(f"numpy's {lib['internal_api']} {lib.get('version')}, "
                               f"{lib.get('architecture')} kernel" for lib in blas)
        threads = max(lib["num_threads"] for lib in blas) if side == "numpy" else int(setting)
        result = {**median_ms({"step": step, "matmuls": matmuls}, ROUNDS[name], repeats),
                  "threads": threads, "kernel": kernel}
    print(json.dumps(result))


# ------------------------------------------------------------------ the comparison

def run(side: str, name: str, setting: str) -> dict | None:
    out = subprocess.run([sys.executable, __file__, "--worker", side, name, setting],
                         capture_output=True, text=True, check=False)
    if out.returncode:
        print(f"  {side} {name} {setting}: the worker failed:\n{out.stderr.strip()}")
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def has_torch() -> bool:
    out = subprocess.run([sys.executable, "-c", "import torch"], capture_output=True,
                         check=False)
    return out.returncode == 0


def compare(name: str, trials: int, sides: list[str]) -> None:
    best: dict[tuple[str, str], dict] = {}
    for _ in range(trials):
        for side in sides:                  # alternate the sides, trial after trial
            for setting in SETTINGS[side]:
                got = run(side, name, setting)
                key = (side, setting)
                if got and (key not in best or got["step"] < best[key]["step"]):
                    best[key] = got
    dims, m, _ = NETS[name]
    print(f"\n{name} net: layers {'-'.join(map(str, dims))}, m = {m}, ReLU, float64; "
          f"best of {trials} processes per setting, each the median of its rounds")
    print(f"  {'side':<8}{'threads':>9}{'ms/step':>10}{'matmuls ms':>12}"
          f"{'step − matmuls':>16}{'step / matmuls':>16}")
    chosen = {}
    for (side, setting), r in best.items():
        label = f"{r['threads']} (train)" if setting == "train" else setting
        print(f"  {'dnn_ref' if side == 'numpy' else 'pytorch':<8}{label:>9}{r['step']:10.3f}"
              f"{r['matmuls']:12.3f}{r['step'] - r['matmuls']:16.3f}"
              f"{r['step'] / r['matmuls']:16.2f}")
        if side not in chosen or r["step"] < chosen[side]["step"]:
            chosen[side] = r
    for r in chosen.values():
        print(f"  kernel: {r['kernel']}")
    if "torch" in chosen and "numpy" in chosen:
        ours, theirs = chosen["numpy"], chosen["torch"]
        print(f"  best: dnn_ref {ours['step']:.3f} ms ({ours['threads']} thread(s)), PyTorch "
              f"{theirs['step']:.3f} ms ({theirs['threads']} thread(s)): "
              f"dnn_ref/PyTorch = {ours['step'] / theirs['step']:.2f}")
        print(f"  distance from matmuls alone: dnn_ref +{ours['step'] - ours['matmuls']:.3f} ms "
              f"(×{ours['step'] / ours['matmuls']:.2f}), PyTorch "
              f"+{theirs['step'] - theirs['matmuls']:.3f} ms "
              f"(×{theirs['step'] / theirs['matmuls']:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--nets", nargs="+", choices=list(NETS), default=list(NETS))
    parser.add_argument("--worker", nargs=3, metavar=("SIDE", "NET", "SETTING"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; numpy "
          f"{np.__version__}")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            print(f"  {var}={os.environ[var]} is set: it slows a current OpenBLAS; "
                  "unset it in this command for a fair figure (see the docstring)")
    sides = ["numpy"]
    if has_torch():
        sides.append("torch")
    else:
        print("PyTorch is not installed: dnn_ref is timed alone. It is not a course "
              "requirement; `.venv/bin/pip install torch` adds its figures.")
    for name in args.nets:
        compare(name, args.trials, sides)


if __name__ == "__main__":
    main()
