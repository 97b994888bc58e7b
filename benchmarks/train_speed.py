"""How fast is one training step of dnn_ref, next to scikit-learn and PyTorch?

One full-batch step = forward pass + backward pass + parameter update, float64,
sigmoid hidden layers and a sigmoid output with binary cross-entropy, on

* the course net: digits, 64-32-16-1, m = 1797;
* a wide net: random data, 1024-512-256-1, m = 4096.

The implementations are timed side by side in one run, interleaved round by
round, and each figure is the median of its rounds, so a noisy neighbour on a
shared machine slows all of them alike; compare the ratios. The script also
measures this machine's float64 matmul speed and says what fraction of it the
wide net's step reaches, counting the step's matmul FLOPs.

Run:  .venv/bin/python benchmarks/train_speed.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from dnn_ref.network import backprop, forward_prop, init_params, update_parameters

LEARNING_RATE = 0.1


def course_data() -> tuple[np.ndarray, np.ndarray]:
    """Digits, standardised, (64, 1797); label 1 for the digit 0."""
    digits = load_digits()
    X = digits.data.T.astype(np.float64)
    X = (X - X.mean(axis=1, keepdims=True)) / (X.std(axis=1, keepdims=True) + 1e-8)
    Y = (digits.target == 0).astype(np.float64).reshape(1, -1)
    return X, Y


def wide_data(m: int = 4096, n: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, m))
    Y = (rng.random((1, m)) < 0.5).astype(np.float64)
    return X, Y


def dnn_ref_step(X: np.ndarray, Y: np.ndarray, dims: list[int]) -> Callable[[], None]:
    """The step exactly as dnn_ref.train takes it (no dA0: training never uses it)."""
    state = {"p": init_params(dims, seed=0, method="xavier")}

    def step() -> None:
        AL, caches = forward_prop(X, state["p"])
        grads = backprop(AL, Y, caches, need_dA0=False)
        state["p"] = update_parameters(state["p"], grads, LEARNING_RATE)

    return step


def sklearn_step(X: np.ndarray, Y: np.ndarray, dims: list[int]) -> Callable[[], None]:
    """MLPClassifier.partial_fit on the whole batch: one SGD step of the same net."""
    clf = MLPClassifier(hidden_layer_sizes=tuple(dims[1:-1]), activation="logistic",
                        solver="sgd", learning_rate_init=LEARNING_RATE, momentum=0.0,
                        alpha=0.0, batch_size=X.shape[1], random_state=0)
    Xs, ys = X.T.copy(), Y.ravel()
    classes = np.array([0.0, 1.0])

    def step() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.partial_fit(Xs, ys, classes=classes)

    return step


def torch_step(X: np.ndarray, Y: np.ndarray, dims: list[int]) -> Callable[[], None] | None:
    """The same net in PyTorch on the CPU (float64, plain SGD), or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    layers: list[torch.nn.Module] = []
    for i in range(1, len(dims)):
        layers += [torch.nn.Linear(dims[i - 1], dims[i], dtype=torch.float64), torch.nn.Sigmoid()]
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
    p = init_params(dims, seed=0, method="xavier")
    AL, caches = forward_prop(X, p)
    As = [cache[0][0] for cache in caches]
    Zs = [cache[1] for cache in caches]

    def matmuls() -> None:
        for l, (A, Z) in enumerate(zip(As, Zs, strict=True), start=1):
            p[f"W{l}"] @ A                  # forward
            Z @ A.T                         # dW (Z stands in for dZ: same shape)
            if l > 1:
                p[f"W{l}"].T @ Z            # dA_prev

    return matmuls


def _time(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compare(name: str, X: np.ndarray, Y: np.ndarray, dims: list[int], rounds: int,
            repeats: int, extra: dict[str, Callable[[], object]] | None = None
            ) -> dict[str, float]:
    """Median seconds per call of each implementation (and ``extra``), interleaved."""
    steps = {"dnn_ref": dnn_ref_step(X, Y, dims), "scikit-learn": sklearn_step(X, Y, dims)}
    t = torch_step(X, Y, dims)
    if t is not None:
        steps["pytorch-cpu"] = t
    steps.update(extra or {})
    for step in steps.values():      # warm up: first calls allocate and import
        step()
    times: dict[str, list[float]] = {k: [] for k in steps}
    for _ in range(rounds):
        for k, step in steps.items():
            times[k].append(_time(lambda s=step: [s() for _ in range(repeats)]) / repeats)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"\n{name}: layers {'-'.join(map(str, dims))}, m = {X.shape[1]}, float64, "
          f"median of {rounds} rounds x {repeats} calls")
    for k in ("dnn_ref", "scikit-learn", "pytorch-cpu"):
        if k in med:
            print(f"  {k:<13} {med[k] * 1e3:9.3f} ms/step   "
                  f"({med[k] / med['dnn_ref']:.2f}x dnn_ref's time)")
    if "pytorch-cpu" in med:
        print(f"  dnn_ref / pytorch-cpu = {med['dnn_ref'] / med['pytorch-cpu']:.2f}")
    else:
        print("  PyTorch is not importable here: no PyTorch figure "
              "(pip install torch to add it)")
    return med


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    print(f"numpy {np.__version__}")

    X, Y = course_data()
    compare("course net", X, Y, [64, 32, 16, 1], args.rounds, repeats=20)

    dims = [1024, 512, 256, 1]
    X, Y = wide_data()
    n = 1024
    rng = np.random.default_rng(1)
    A, B = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    extra = {"matmuls alone": step_matmuls(X, dims), "square matmul": lambda: A @ B}
    med = compare("wide net", X, Y, dims, max(5, args.rounds // 2), repeats=1, extra=extra)
    flops = step_flops(dims, X.shape[1])
    peak = 2 * n**3 / med["square matmul"] / 1e9
    gflops = flops / med["dnn_ref"] / 1e9
    print(f"  this machine's float64 matmul ({n}x{n} @ {n}x{n}), timed in the same rounds: "
          f"{peak:.1f} GFLOP/s")
    print(f"  the step's {flops / 1e9:.1f} GFLOP of matmuls alone run at "
          f"{flops / med['matmuls alone'] / 1e9:.1f} GFLOP/s")
    print(f"  dnn_ref's whole step reaches {gflops:.1f} GFLOP/s = {gflops / peak:.0%} of the "
          f"matmul speed ({med['matmuls alone'] / med['dnn_ref']:.0%} of its own matmuls' speed)")


if __name__ == "__main__":
    main()
