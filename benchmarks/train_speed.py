"""How fast is one training step of dnn_ref, next to PyTorch on the CPU?

One full-batch step = forward pass + cost + backward pass + parameter update,
float64, a sigmoid output with binary cross-entropy and hidden layers of
sigmoids or of ReLUs (what chapter 7 recommends), each timed, on

* the course net: digits, 64-32-16-1, m = 1797;
* a wide net: random data, 1024-512-256-1, m = 4096.

All steps of a net are timed side by side in one run, interleaved round by
round, with this machine's float64 matmul (1024 x 1024 @ 1024 x 1024) in the
same rounds, and the step's matrix products alone; each figure is the median
of its rounds, so a noisy neighbour on a shared machine slows all of them alike:
compare the ratios. For each step the script prints dnn_ref's time over
PyTorch's, the fraction of the matmul rate that dnn_ref's step reaches, counting
the step's matmul FLOPs, and the fraction of the step's time its matmuls take
(what all the rest, elementwise passes and Python, leaves to them).

PyTorch is not a requirement of the course: without it the script times
dnn_ref alone and says how to add it (``.venv/bin/pip install torch``).

The BLAS numpy runs decides the figures. Where OPENBLAS_CORETYPE or
OPENBLAS_L2_SIZE are set for an old OpenBLAS's sake, they slow a current one:
for a fair figure unset both in the benchmark's command alone, e.g.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python benchmarks/train_speed.py

The script prints the kernel OpenBLAS picked (threadpoolctl) and the load
average: on a machine other jobs keep busy, two BLAS threads wait for each
other, and ``--threads 1`` (numpy's BLAS and PyTorch both on one thread) gives
steadier figures.

Run:  .venv/bin/python benchmarks/train_speed.py [--rounds N] [--threads N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import numpy as np
from sklearn.datasets import load_digits
from threadpoolctl import threadpool_info, threadpool_limits

from dnn_ref.network import backprop, cost_function, forward_prop, init_params, update_parameters

LEARNING_RATE = 0.1
ACTIVATIONS = ("sigmoid", "relu")
INIT = {"sigmoid": "xavier", "relu": "he"}   # the initialisation chapter 7 pairs with each


def course_data() -> tuple[np.ndarray, np.ndarray]:
    """Digits, standardised, (64, 1797); label 1 for the digit 0."""
    digits = load_digits()
    X = digits.data.T.astype(np.float64)
    X = (X - X.mean(axis=1, keepdims=True)) / (X.std(axis=1, keepdims=True) + 1e-8)
    Y = (digits.target == 0).astype(np.float64).reshape(1, -1)
    return X, Y


def wide_data(m: int = 4096, n: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Standard normal inputs (n, m) and random 0/1 labels (1, m)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, m))
    Y = (rng.random((1, m)) < 0.5).astype(np.float64)
    return X, Y


def dnn_ref_step(X: np.ndarray, Y: np.ndarray, dims: list[int], hidden: str
                 ) -> Callable[[], None]:
    """One step as dnn_ref.train takes it: forward, cost, backprop without dA0, update."""
    state = {"p": init_params(dims, seed=0, method=INIT[hidden])}

    def step() -> None:
        AL, caches = forward_prop(X, state["p"], hidden)
        cost_function(AL, Y)
        grads = backprop(AL, Y, caches, hidden, need_dA0=False)
        state["p"] = update_parameters(state["p"], grads, LEARNING_RATE)

    return step


def torch_step(X: np.ndarray, Y: np.ndarray, dims: list[int], hidden: str
               ) -> Callable[[], None] | None:
    """The same net in PyTorch on the CPU (float64, plain SGD), or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    layers: list[torch.nn.Module] = []
    for i in range(1, len(dims)):
        last = i == len(dims) - 1
        layers += [torch.nn.Linear(dims[i - 1], dims[i], dtype=torch.float64),
                   torch.nn.Sigmoid() if last or hidden == "sigmoid" else torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    loss_fn = torch.nn.BCELoss()
    Xt = torch.from_numpy(X.T.copy())
    Yt = torch.from_numpy(Y.T.copy())

    def step() -> None:
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(Xt), Yt)
        loss.backward()
        opt.step()

    return step


def step_flops(dims: list[int], m: int) -> int:
    """Matmul FLOPs of one training step: forward W·A, backward dZ·Aᵀ, and Wᵀ·dZ for l ≥ 2."""
    pairs = [dims[i] * dims[i - 1] for i in range(1, len(dims))]
    return 2 * m * (2 * sum(pairs) + sum(pairs[1:]))


def step_matmuls(X: np.ndarray, dims: list[int]) -> Callable[[], None]:
    """Only the matrix products of one dnn_ref training step, on the same shapes."""
    p = init_params(dims, seed=0)
    _, caches = forward_prop(X, p)

    def matmuls() -> None:
        for l, ((A, W, _), Z) in enumerate(caches, start=1):
            W @ A                           # forward
            Z @ A.T                         # dW (Z stands in for dZ: same shape)
            if l > 1:
                W.T @ Z                     # dA_prev

    return matmuls


def square_matmul(n: int = 1024) -> Callable[[], object]:
    """This machine's float64 matmul on two n x n matrices (2n³ FLOPs)."""
    rng = np.random.default_rng(1)
    A, B = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    return lambda: A @ B


def _time(fn: Callable[[], object], repeats: int) -> float:
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats


def compare(name: str, X: np.ndarray, Y: np.ndarray, dims: list[int], rounds: int,
            repeats: int) -> dict[str, float]:
    """Median seconds per step of every implementation and activation, interleaved."""
    steps: dict[str, Callable[[], object]] = {}
    for hidden in ACTIVATIONS:
        steps[f"dnn_ref {hidden}"] = dnn_ref_step(X, Y, dims, hidden)
        if (t := torch_step(X, Y, dims, hidden)) is not None:
            steps[f"pytorch {hidden}"] = t
    n = 1024
    steps["matmul"] = square_matmul(n)
    steps["matmuls alone"] = step_matmuls(X, dims)
    for step in steps.values():      # warm up: first calls allocate and import
        step()
    times: dict[str, list[float]] = {k: [] for k in steps}
    for _ in range(rounds):
        for k, step in steps.items():
            times[k].append(_time(step, 1 if k == "matmul" else repeats))
    med = {k: statistics.median(v) for k, v in times.items()}
    peak = 2 * n**3 / med["matmul"] / 1e9
    flops = step_flops(dims, X.shape[1])
    print(f"\n{name}: layers {'-'.join(map(str, dims))}, m = {X.shape[1]}, float64, "
          f"median of {rounds} rounds x {repeats} steps")
    alone = med["matmuls alone"]
    print(f"  this machine's float64 matmul, timed in the same rounds: {peak:.1f} GFLOP/s; "
          f"a step's matmuls are {flops / 1e9:.3f} GFLOP and take {alone * 1e3:.3f} ms alone "
          f"({flops / alone / 1e9 / peak:.0%} of that rate)")
    print(f"  {'hidden layers':<14}{'dnn_ref ms':>11}{'pytorch ms':>12}{'dnn_ref/pytorch':>17}"
          f"{'% of matmul rate':>18}{'matmuls share':>15}")
    for hidden in ACTIVATIONS:
        ours = med[f"dnn_ref {hidden}"]
        theirs = med.get(f"pytorch {hidden}")
        rate = flops / ours / 1e9 / peak
        print(f"  {hidden:<14}{ours * 1e3:11.3f}"
              + (f"{theirs * 1e3:12.3f}{ours / theirs:17.2f}" if theirs else f"{'-':>12}{'-':>17}")
              + f"{rate:18.0%}{alone / ours:15.0%}")
    return med


def describe_blas() -> None:
    """numpy's BLAS, the kernel it picked and its threads; PyTorch's threads; the env."""
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for lib in threadpool_info():
        if lib.get("user_api") == "blas" and "numpy" in lib.get("filepath", ""):
            print(f"numpy {np.__version__}: {lib['internal_api']} {lib.get('version')}, "
                  f"{lib.get('architecture')} kernel, {lib['num_threads']} threads")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            print(f"  {var}={os.environ[var]} is set: it slows a current OpenBLAS; "
                  "unset it in this command for a fair figure (see the docstring)")
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: dnn_ref is timed alone. It is not a course "
              "requirement; `.venv/bin/pip install torch` adds its figures.")
    else:
        print(f"torch {torch.__version__}: {torch.get_num_threads()} threads")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--threads", type=int, default=None,
                        help="threads of numpy's BLAS and of PyTorch (default: theirs)")
    args = parser.parse_args()
    with threadpool_limits(args.threads):
        if args.threads:
            try:
                import torch
                torch.set_num_threads(args.threads)
            except ImportError:
                pass
        describe_blas()
        X, Y = course_data()
        compare("course net", X, Y, [64, 32, 16, 1], args.rounds, repeats=20)
        X, Y = wide_data()
        compare("wide net", X, Y, [1024, 512, 256, 1], max(5, args.rounds // 2), repeats=1)


if __name__ == "__main__":
    main()
