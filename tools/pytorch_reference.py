"""Print the PyTorch (float64) figures that tests/course/test_against_pytorch.py holds.

The tests compare dnn_ref's exact output layer (sigmoid and softmax with
cross-entropy, from Z) and its softmax vector–Jacobian product with PyTorch,
without importing it: PyTorch is not a course requirement, and the grading
sandbox blocks it. This script recomputes every figure from the same inputs
(:mod:`pytorch_cases`, shared with the tests), so that a reader with torch can
check them:

    .venv/bin/pip install torch        # CPU build; not needed for the course
    .venv/bin/python tools/pytorch_reference.py

and compare its output with the literals in the test file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "fixtures"))

import pytorch_cases as cases  # noqa: E402  (tests/fixtures is the tests' pythonpath)

F = torch.nn.functional


def t(a: np.ndarray, grad: bool = False) -> torch.Tensor:
    """A float64 tensor in the course's (units, examples) layout."""
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def saturated_sigmoid() -> dict:
    z = t(cases.Z_SATURATED, grad=True)
    y = t(cases.Y_SATURATED)
    loss = F.binary_cross_entropy_with_logits(z, y, reduction="none")
    loss.sum().backward()                       # per-example gradient: σ(z) − y
    return {"cost": loss.detach().numpy().tolist(), "dz": z.grad.numpy().tolist()}


def one_example_at_w40() -> dict:
    w = t([[cases.W_START]], grad=True)
    b = t([[0.0]], grad=True)
    x, y = t([[1.0]]), t([[0.0]])
    for _ in range(cases.STEPS):
        loss = F.binary_cross_entropy_with_logits(w @ x + b, y)
        w.grad = b.grad = None
        loss.backward()
        with torch.no_grad():
            w -= cases.RATE * w.grad
            b -= cases.RATE * b.grad
    final = F.binary_cross_entropy_with_logits(w @ x + b, y)
    return {"W": w.item(), "b": b.item(), "cost": final.item()}


def softmax_cost() -> dict:
    z = t(cases.Z_SOFTMAX, grad=True)
    classes = torch.tensor(np.argmax(cases.Y_SOFTMAX, axis=0))
    loss = F.cross_entropy(z.T, classes, reduction="none")   # torch wants (m, K)
    loss.sum().backward()
    return {"cost": loss.detach().numpy().tolist(), "dz": z.grad.numpy().tolist()}


def softmax_vjp() -> list:
    z = t(cases.Z_VJP, grad=True)
    (dz,) = torch.autograd.grad(torch.softmax(z, dim=0), z, t(cases.DA_VJP))
    return dz.numpy().tolist()


def network(params: dict, X: np.ndarray, Y: np.ndarray, hidden: str, output: str) -> dict:
    """Mean cross-entropy of the course's network and its parameter gradients."""
    p = {k: t(v, grad=True) for k, v in params.items()}
    A = t(X)
    L = len(p) // 2
    for l in range(1, L + 1):
        Z = p[f"W{l}"] @ A + p[f"b{l}"]
        A = {"relu": torch.relu, "tanh": torch.tanh}[hidden](Z) if l < L else None
    if output == "softmax":
        loss = F.cross_entropy(Z.T, torch.tensor(np.argmax(Y, axis=0)))
    else:
        loss = F.binary_cross_entropy_with_logits(Z, t(Y))
    loss.backward()
    return {"cost": loss.item(), **{f"d{k}": v.grad.numpy().tolist() for k, v in p.items()}}


def main() -> None:
    torch.set_default_dtype(torch.float64)
    print(f"# PyTorch {torch.__version__}, float64")
    print("SATURATED_SIGMOID =", saturated_sigmoid())
    print("ONE_EXAMPLE_AT_W40 =", one_example_at_w40())
    print("SOFTMAX_COST =", softmax_cost())
    print("SOFTMAX_VJP =", softmax_vjp())
    print("SOFTMAX_NET =", network(*cases.softmax_net(), "relu", "softmax"))
    print("SATURATED_NET =", network(*cases.saturated_net(), "tanh", "sigmoid"))


if __name__ == "__main__":
    main()
