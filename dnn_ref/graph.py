"""Scalar computational graphs with reverse-mode differentiation.

Every arithmetic operation on a :class:`Value` creates a new node that
remembers its operands (``_prev``), the operation (``_op``) and how to pass a
gradient back to its operands (``_backward``, the local derivative times the
gradient of the output: the chain rule, one node at a time).
:meth:`Value.backward` visits the nodes from the output back to the inputs in
topological order, so each node's gradient is complete before it is passed on.

The worked example of the course, g = (x + y)·z with x = 1, y = 3, z = −3::

    >>> x, y, z = Value(1.0, "x"), Value(3.0, "y"), Value(-3.0, "z")
    >>> p = x + y; p.label = "p"
    >>> g = p * z; g.label = "g"
    >>> g.backward()
    >>> g.data, p.data, x.grad, y.grad, z.grad, p.grad
    (-12.0, 4.0, -3.0, -3.0, 4.0, -3.0)

:func:`draw_graph` draws such a graph with matplotlib.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from numbers import Real

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.patches import ConnectionPatch, Patch

EXP_LIMIT = math.log(sys.float_info.max)
"""709.78…: e^x overflows float64 for x above it."""


class Value:
    """A scalar node of a computational graph.

    Parameters
    ----------
    data : float
        The value computed in the forward pass.
    label : str
        A name to show when drawing (``"x"``, ``"p"``…).

    Attributes
    ----------
    data : float
    grad : float
        ∂(output)/∂(this node) after the output's :meth:`backward`; 0 before.
    label : str
    """

    def __init__(self, data: float, label: str = "", _prev: tuple[Value, ...] = (),
                 _op: str = "") -> None:
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self._prev = _prev
        self._op = _op
        self._backward: Callable[[], None] = lambda: None

    def __repr__(self) -> str:
        name = f"{self.label!r}, " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # --- arithmetic: each builds a node and its local backward rule -------------

    def __add__(self, other: Value | float) -> Value:
        other = _as_value(other)
        out = Value(self.data + other.data, _prev=(self, other), _op="+")

        def _backward() -> None:            # ∂(a+b)/∂a = ∂(a+b)/∂b = 1
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __sub__(self, other: Value | float) -> Value:
        other = _as_value(other)
        out = Value(self.data - other.data, _prev=(self, other), _op="-")

        def _backward() -> None:            # ∂(a−b)/∂a = 1, ∂(a−b)/∂b = −1
            self.grad += out.grad
            other.grad -= out.grad
        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        other = _as_value(other)
        out = Value(self.data * other.data, _prev=(self, other), _op="*")

        def _backward() -> None:            # ∂(ab)/∂a = b, ∂(ab)/∂b = a
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __truediv__(self, other: Value | float) -> Value:
        other = _as_value(other)
        if other.data == 0.0:
            raise ZeroDivisionError(f"division by a Value equal to 0 ({other!r})")
        out = Value(self.data / other.data, _prev=(self, other), _op="/")

        def _backward() -> None:            # ∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b²
            self.grad += out.grad / other.data
            other.grad -= self.data / other.data ** 2 * out.grad
        out._backward = _backward
        return out

    def __pow__(self, exponent: float) -> Value:
        """xⁿ for a plain number n; derivative n·xⁿ⁻¹.

        Where PyTorch (float64, checked with torch 2.13) gives a finite value
        and derivative, this gives the same numbers (at most the last bit
        differs, e.g. for n = ±0.5, where PyTorch rounds its power
        differently); where it gives inf or nan, this raises instead of
        returning a number no one can use:

        =====================  =================  ==================  ===============
        case                   value              derivative          PyTorch gives
        =====================  =================  ==================  ===============
        n = 0 (any x, even 0)  1                  0 (a constant)      1, 0
        x = 0, n ≥ 1           0                  1 (n=1), 0 (n>1)    the same
        x = 0, 0 < n < 1       0                  ValueError (∞)      0, inf
        x = 0, n < 0           ZeroDivisionError  —                   inf, −inf
        x < 0, n an integer    xⁿ                 n·xⁿ⁻¹              the same
        x < 0, n not integer   ValueError         —                   nan, nan
        =====================  =================  ==================  ===============

        So the polynomial 1 + 2x + 3x² written with ``x ** k`` for k = 0, 1, 2
        is 1 at x = 0, with derivative 2.

        Raises
        ------
        TypeError
            If the exponent is a Value or not a real number.
        """
        if isinstance(exponent, Value) or not isinstance(exponent, Real):
            raise TypeError("a Value can only be raised to a plain number, e.g. x ** 2; "
                            f"got {type(exponent).__name__}")
        n = float(exponent)
        if self.data == 0.0 and n < 0.0:
            raise ZeroDivisionError(f"{self!r} ** {exponent} is 1/0^{-n:g}: a negative power "
                                    "of 0 does not exist (PyTorch returns inf)")
        if self.data < 0.0 and not n.is_integer():
            raise ValueError(f"{self!r} ** {exponent}: a negative number has no real "
                             "non-integer power (PyTorch returns nan)")
        out = Value(self.data ** n, _prev=(self,), _op=f"**{exponent:g}")

        def _backward() -> None:            # ∂(aⁿ)/∂a = n·aⁿ⁻¹ (0 for n = 0: a constant)
            if n == 0.0:
                return
            if self.data == 0.0 and n < 1.0:
                raise ValueError(f"the derivative of x ** {exponent} at x = 0 is infinite "
                                 f"(n·x^(n−1) with n − 1 < 0); PyTorch returns inf")
            self.grad += n * self.data ** (n - 1.0) * out.grad
        out._backward = _backward
        return out

    def __neg__(self) -> Value:
        out = Value(-self.data, _prev=(self,), _op="neg")

        def _backward() -> None:
            self.grad -= out.grad
        out._backward = _backward
        return out

    def __radd__(self, other: float) -> Value:      # 2 + x
        return _as_value(other) + self

    def __rsub__(self, other: float) -> Value:      # 2 − x
        return _as_value(other) - self

    def __rmul__(self, other: float) -> Value:      # 2 · x
        return _as_value(other) * self

    def __rtruediv__(self, other: float) -> Value:  # 2 / x
        return _as_value(other) / self

    # --- functions of one variable ----------------------------------------------

    def _unary(self, value: float, op: str, derivative: float) -> Value:
        out = Value(value, _prev=(self,), _op=op)

        def _backward() -> None:
            self.grad += derivative * out.grad
        out._backward = _backward
        return out

    def relu(self) -> Value:
        """max(0, x); derivative 1 for x > 0, else 0 (as in dnn_ref.activations)."""
        return self._unary(max(0.0, self.data), "relu", 1.0 if self.data > 0 else 0.0)

    def tanh(self) -> Value:
        """tanh(x); derivative 1 − tanh(x)²."""
        t = math.tanh(self.data)
        return self._unary(t, "tanh", 1.0 - t * t)

    def sigmoid(self) -> Value:
        """σ(x) = 1 / (1 + e^(−x)); derivative σ(x)(1 − σ(x))."""
        x = self.data
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return self._unary(s, "sigmoid", s * (1.0 - s))

    def exp(self) -> Value:
        """e^x; derivative e^x.

        Raises
        ------
        OverflowError
            For x > 709.78 (= ln of the largest float64, 1.8e308), naming x;
            PyTorch returns inf there.
        """
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"exp of {self!r} overflows: e^x exceeds the largest float64 (1.8e308) for "
                f"x > {EXP_LIMIT:.2f}; PyTorch returns inf. A cost or activation that needs "
                "e^x for large x has a stable form (σ(x) = 1/(1 + e^(−x)), "
                "softplus(x) = x + log(1 + e^(−x)))"
            ) from None
        return self._unary(e, "exp", e)

    def log(self) -> Value:
        """Natural logarithm; derivative 1/x. Raises ValueError for x ≤ 0."""
        if self.data <= 0.0:
            raise ValueError(f"log is only defined for positive numbers, got {self!r}; "
                             "a cross-entropy cost usually meets this with a prediction "
                             "of exactly 0 or 1")
        return self._unary(math.log(self.data), "log", 1.0 / self.data)

    # --- reverse mode -----------------------------------------------------------

    def backward(self) -> None:
        """Fill in ``grad`` = ∂(self)/∂(node) for every node of the graph.

        All gradients in the graph are first reset to 0, so calling it twice
        gives the same result, not double. The output's own gradient is 1
        (∂g/∂g = 1); each node then adds its contribution to its operands,
        so a node used in several places receives the sum of all of them.
        """
        order = topological_order(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


def _as_value(x: Value | float) -> Value:
    if isinstance(x, Value):
        return x
    if isinstance(x, Real):
        return Value(float(x))
    raise TypeError(f"a Value can be combined with a Value or a plain number, "
                    f"not with {type(x).__name__}")


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, inputs first and ``root`` last.

    Each node appears once, after all of its operands. Iterative, so deep
    graphs do not hit Python's recursion limit.
    """
    order: list[Value] = []
    seen: set[int] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, operands_done = stack.pop()
        if operands_done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for child in reversed(node._prev):
            if id(child) not in seen:
                stack.append((child, False))
    return order


_OP_SYMBOLS = {"*": "×", "-": "−", "neg": "−x", "sigmoid": "σ"}


def draw_graph(root: Value, ax: Axes | None = None) -> Axes:
    """Draw the graph of ``root`` from the inputs (left) to the output (right).

    Every Value is a box showing its label, ``data`` and ``grad``; every
    operation is a small circle between its operands and its result. A
    computed node's column is its depth, the longest path from an input to
    it; an input stands just left of the first operation that uses it.

    Parameters
    ----------
    root : Value
        The output node.
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure sized to the graph.

    Returns
    -------
    matplotlib Axes
        Its ``texts`` are one box per Value (gid ``"value"``), then one
        circle per operation (gid ``"op"``), each in topological order.
    """
    order = topological_order(root)
    position = {id(node): i for i, node in enumerate(order)}
    depth: dict[int, int] = {}
    for node in order:
        depth[id(node)] = 1 + max((depth[id(c)] for c in node._prev), default=-1)
    # An input (or constant) sits just left of its first use, not always in
    # column 0, so that no long arrow crosses the drawing (z in g = (x + y)·z).
    first_use: dict[int, int] = {}
    for node in order:
        for child in node._prev:
            if not child._prev:
                first_use[id(child)] = min(first_use.get(id(child), depth[id(node)]),
                                           depth[id(node)])
    depth.update({key: d - 1 for key, d in first_use.items()})
    columns: dict[int, list[Value]] = {}
    for node in order:
        columns.setdefault(depth[id(node)], []).append(node)

    # Rows: within a column, nodes keep the order in which the expression
    # introduces them (topological order), centred vertically.
    row: dict[int, float] = {}
    for nodes in columns.values():
        nodes.sort(key=lambda v: position[id(v)])
        for i, node in enumerate(nodes):
            row[id(node)] = i - (len(nodes) - 1) / 2.0

    n_cols = max(columns) + 1
    n_rows = max(len(nodes) for nodes in columns.values())
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4.0, 2.0 * n_cols), max(2.0, 0.95 * n_rows + 0.6)))

    def xy(node: Value) -> tuple[float, float]:
        return 2.0 * depth[id(node)], -row[id(node)]

    boxes = {}
    for node in order:
        text = f"{node.label}\n" if node.label else ""
        text += f"data {node.data:.4g}\ngrad {node.grad:.4g}"
        boxes[id(node)] = ax.text(
            *xy(node), text, ha="center", va="center", fontsize=9, gid="value", zorder=3,
            bbox={"boxstyle": "round,pad=0.35", "facecolor": "#eef3fb", "edgecolor": "#33507a"},
        )
    for node in order:
        if not node._prev:
            continue
        x, y = xy(node)
        op = ax.text(x - 1.0, y, _OP_SYMBOLS.get(node._op, node._op), ha="center",
                     va="center", fontsize=9, gid="op", zorder=3,
                     bbox={"boxstyle": "circle,pad=0.25", "facecolor": "#fff4d6",
                           "edgecolor": "#a07a1a"})
        op_patch = op.get_bbox_patch()
        for k, child in enumerate(node._prev):
            repeat = node._prev[:k].count(child)        # a * a: bend the second arrow
            skips = depth[id(node)] - depth[id(child)] > 1  # arc over the columns between
            _arrow(ax, xy(child), (x - 1.0, y), boxes[id(child)].get_bbox_patch(), op_patch,
                   bend=0.3 * repeat + (-0.35 if skips else 0.0))
        _arrow(ax, (x - 1.0, y), (x, y), op_patch, boxes[id(node)].get_bbox_patch())
    ax.set_xlim(-1.0, 2.0 * (n_cols - 1) + 1.0)
    ax.set_ylim(-(n_rows - 1) / 2.0 - 0.7, (n_rows - 1) / 2.0 + 0.7)
    ax.set_axis_off()
    return ax


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], patch_a: Patch,
           patch_b: Patch, bend: float = 0.0) -> None:
    """An arrow between two drawn shapes, clipped to their outlines."""
    ax.add_artist(ConnectionPatch(start, end, "data", "data", arrowstyle="-|>",
                                  connectionstyle=f"arc3,rad={bend}", mutation_scale=10,
                                  color="#555555", zorder=4, patchA=patch_a, patchB=patch_b,
                                  shrinkA=0, shrinkB=0))
