# ruff: noqa: E501  -- a LaTeX formula in the notebooks' markdown must stay on one line
"""Write the nbgrader source notebooks solutions/<assignment>/<assignment>.ipynb.

The notebooks are generated, not hand-edited, so that their nbgrader metadata is
right by construction (unique grade ids, schema version 3, locked instructions and
tests) and a change to an assignment is a readable diff of this file. Run

    .venv/bin/python tools/build_solutions.py      # then: make release

and commit both solutions/ and the exercises/ that `make release` regenerates.
Notebooks are written without outputs.

Cell kinds (nbgrader's names):

* ``md``      read-only markdown: instructions and explanations;
* ``code``    read-only code: imports, worked examples, the closing demo;
* ``answer``  "autograded answer": the student's code between
  ``### BEGIN SOLUTION`` / ``### END SOLUTION``, replaced by the stub;
* ``tests``   two "autograder tests" cells per graded function, a visible one
  and a hidden one (between ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``),
  each with its points.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_VERSION = 3
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool,
          points: int | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked,
            "schema_version": SCHEMA_VERSION, "solution": solution}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def md(grade_id: str, text: str) -> NotebookNode:
    """A read-only markdown cell."""
    return nbformat.v4.new_markdown_cell(
        text.strip(), id=grade_id,
        metadata=_meta(grade_id, grade=False, solution=False, locked=True))


def code(grade_id: str, source: str) -> NotebookNode:
    """A read-only code cell."""
    return nbformat.v4.new_code_cell(
        source.strip(), id=grade_id,
        metadata=_meta(grade_id, grade=False, solution=False, locked=True))


def answer(grade_id: str, source: str) -> NotebookNode:
    """An autograded-answer cell; its solution lines become the stub for students."""
    return nbformat.v4.new_code_cell(
        source.strip(), id=grade_id,
        metadata=_meta(grade_id, grade=False, solution=True, locked=False))


def tests(name: str, visible: int, hidden: int) -> list[NotebookNode]:
    """The visible and the hidden test cell of graded function ``name``."""
    shown = f"check_{name}({name})"
    secret = (
        "# Hidden tests: other shapes, seeds and values, run when your notebook is graded.\n"
        "### BEGIN HIDDEN TESTS\n"
        f"check_{name}({name}, hidden=True)\n"
        "### END HIDDEN TESTS"
    )
    return [
        nbformat.v4.new_code_cell(shown, id=f"test_{name}", metadata=_meta(
            f"test_{name}", grade=True, solution=False, locked=True, points=visible)),
        nbformat.v4.new_code_cell(secret, id=f"hidden_{name}", metadata=_meta(
            f"hidden_{name}", grade=True, solution=False, locked=True, points=hidden)),
    ]


def header(title: str, intro: str, points: dict[str, tuple[int, int, str]]) -> NotebookNode:
    """First cell: what to do, the points per function and their total."""
    total = sum(v + h for v, h, _ in points.values())
    rows = "\n".join(
        f"| `{name}` | {what} | {v} | {h} | {v + h} |" for name, (v, h, what) in points.items()
    )
    text = f"""
# {title}

{intro.strip()}

| function | what it computes | visible tests | hidden tests | points |
|---|---|---|---|---|
{rows}
| **total** | | | | **{total} points** |

This assignment is worth **{total} points** in total.

**How it works.** Write your code where a cell says `# YOUR CODE HERE` and delete the
`raise NotImplementedError()` line under it; leave the function's name and arguments
as they are. After each function comes a *visible test* cell: run it as often as you
like; it prints a line starting with ✓ when your function is right and otherwise says
what is wrong and the likely cause. The *hidden test* cell after it looks empty: when
your notebook is graded it tries your function on other shapes, seeds and values.

**Before you submit:** *Kernel → Restart Kernel and Run All Cells*, and check that every
visible test prints ✓. When grading, a cell that is still running after 60 seconds is
stopped (an infinite loop costs the tests that need that cell, not the whole notebook).
Please do not delete, copy or reorder the given cells; add your own cells anywhere.
"""
    return md("header", text)


def notebook(cells: list[NotebookNode]) -> NotebookNode:
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    return nb


# ---------------------------------------------------------------------------------------
# forward: activations, the forward pass and the cost
# ---------------------------------------------------------------------------------------

def forward() -> NotebookNode:
    points = {
        "sigmoid": (2, 1, "σ(Z), elementwise"),
        "relu": (2, 1, "max(0, Z), elementwise"),
        "forward_prop": (4, 4, "the output AL and one cache per layer"),
        "cost_function": (3, 3, "binary cross-entropy of AL against Y"),
    }
    return notebook([
        header("Assignment: the forward pass", """
A neural network's prediction is a chain of small steps: multiply by the weights, add
the bias, squash with an activation, repeat. In this assignment you write that chain
for a network of sigmoid layers, and the cost that says how far its predictions are
from the labels. The backpropagation assignment builds on exactly these functions.
""", points),
        code("setup", """
import numpy as np
import matplotlib.pyplot as plt

from dnn_ref import init_params
from dnn_ref.datasets import load_breast_cancer
from dnn_ref.grading import check_cost_function, check_forward_prop, check_relu, check_sigmoid
"""),
        md("shapes", r"""
## Shapes: one column per example

The course stores a batch of $m$ examples side by side, **one column per example**. For a
network with layer sizes $n_0, n_1, \dots, n_L$:

| array | shape | meaning |
|---|---|---|
| `X` $= A^{[0]}$ | $(n_0, m)$ | the inputs |
| `W{l}` | $(n_l, n_{l-1})$ | weights of layer $l$, one row per unit |
| `b{l}` | $(n_l, 1)$ | biases of layer $l$, added to every column |
| $Z^{[l]}$, $A^{[l]}$ | $(n_l, m)$ | pre-activations and activations |
| `AL`, `Y` | $(1, m)$ | predicted probabilities and 0/1 labels |

Layer $l$ computes $Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}$ and then $A^{[l]} = g(Z^{[l]})$. The
bias has one column, and numpy *broadcasts* it: the same $b^{[l]}$ is added to each of the
$m$ columns.
"""),
        md("activations", r"""
## 1. Activations

The sigmoid $\sigma(z) = \dfrac{1}{1 + e^{-z}}$ squashes any number into $(0, 1)$, so it can
be read as a probability; ReLU, $\max(0, z)$, keeps positive values and zeroes the rest.
Both work **elementwise**: the output has the shape of the input.

A numerical trap: for $z = -800$, `np.exp(-z)` overflows to `inf` (numpy warns, the
answer 0 is still right). Since $\sigma(z) = \dfrac{e^{z}}{1 + e^{z}}$ as well, you can use
the form whose exponent is never positive. Return only the activations: unlike some
versions on the web, `sigmoid` here does not return a cache.
"""),
        answer("sigmoid", '''
def sigmoid(Z):
    """Elementwise logistic function; same shape as Z, values in [0, 1]."""
    ### BEGIN SOLUTION
    Z = np.asarray(Z, dtype=float)
    e = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    ### END SOLUTION
'''),
        *tests("sigmoid", *points["sigmoid"][:2]),
        answer("relu", '''
def relu(Z):
    """Elementwise max(0, Z); same shape as Z."""
    ### BEGIN SOLUTION
    return np.maximum(np.asarray(Z, dtype=float), 0.0)
    ### END SOLUTION
'''),
        *tests("relu", *points["relu"][:2]),
        md("worked_forward", r"""
## 2. The forward pass

**Worked example.** One layer with two inputs and one sigmoid unit, on a batch of three
examples. The cell below computes it one example at a time, the way you would on
paper; your `forward_prop` will do all examples at once with one matrix product per
layer.
"""),
        code("worked_forward_code", """
inputs = np.array([[1.0, 0.0, 2.0],
                   [-1.0, 3.0, 0.5]])      # (n0, m) = (2, 3): three examples as columns
weights = np.array([[0.5, -0.25]])        # (n1, n0) = (1, 2)
bias = np.array([[0.1]])                  # (n1, 1)

for i in range(inputs.shape[1]):
    x = inputs[:, i]
    z = weights[0, 0] * x[0] + weights[0, 1] * x[1] + bias[0, 0]
    print(f"example {i}: z = {z:+.3f}, a = sigmoid(z) = {1 / (1 + np.exp(-z)):.4f}")
all_at_once = weights @ inputs + bias
print("all at once:", all_at_once.round(3), "with shape", all_at_once.shape)
"""),
        md("forward_prop_task", r"""
Now write `forward_prop(X, parameters)` for a network with a **sigmoid in every layer**.
`parameters` holds `W1, b1, …, WL, bL`, so the network has `len(parameters) // 2`
layers. For each layer $l = 1, \dots, L$, compute $Z^{[l]}$ and $A^{[l]}$ and append the
layer's cache

```
((A_prev, W, b), Z)       # A_prev = A[l-1], the input the layer multiplied
```

to a list, so that `caches[l-1]` belongs to layer $l$. Return `(AL, caches)`.
Backpropagation needs exactly these arrays: $A^{[l-1]}$ for $\partial C/\partial W$, $W$ for
the error of the layer below, and $Z$ for $\sigma'(Z)$.
"""),
        answer("forward_prop", '''
def forward_prop(X, parameters):
    """Run a sigmoid network on X (n0, m); return AL (nL, m) and the list of L caches."""
    ### BEGIN SOLUTION
    caches = []
    A = X
    for l in range(1, len(parameters) // 2 + 1):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        Z = W @ A + b
        caches.append(((A, W, b), Z))
        A = sigmoid(Z)
    return A, caches
    ### END SOLUTION
'''),
        *tests("forward_prop", *points["forward_prop"][:2]),
        md("cost_task", r"""
## 3. The cost

For predicted probabilities $a^{(i)}$ and labels $y^{(i)} \in \{0, 1\}$ the binary
cross-entropy of a batch is

$$C = -\frac{1}{m} \sum_{i=1}^{m} \Big[\, y^{(i)} \log a^{(i)} + (1 - y^{(i)}) \log\big(1 - a^{(i)}\big) \Big].$$

Only one of the two terms is non-zero for each example: the cost is $-\log$ of the
probability the network gave to the *right* answer, averaged over the batch. Write
`cost_function(AL, Y)` for `AL` and `Y` of shape $(1, m)$; return a plain Python `float`
(use numpy's `np.log`; there is no bare `log`).
"""),
        answer("cost_function", '''
def cost_function(AL, Y):
    """Binary cross-entropy of predictions AL (1, m) against 0/1 labels Y (1, m)."""
    ### BEGIN SOLUTION
    m = Y.shape[1]
    total = np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    return float(-total / m)
    ### END SOLUTION
'''),
        *tests("cost_function", *points["cost_function"][:2]),
        md("real_data", r"""
## Your forward pass on real data

The Wisconsin breast-cancer set has 569 tumours described by 30 measurements; `Y = 1`
means benign. With tiny random weights every unit's $z$ is close to 0, every output
close to $\sigma(0) = 0.5$, and the cost close to $\log 2 \approx 0.693$: the cost of a
network that knows nothing yet. The backpropagation assignment makes it learn.
"""),
        code("real_data_code", """
data = load_breast_cancer()
untrained = init_params([30, 8, 1])
AL_untrained, _ = forward_prop(data.X_train, untrained)
print(f"cost of the untrained network: {cost_function(AL_untrained, data.Y_train):.4f}"
      f"  (log 2 = {np.log(2):.4f})")

z_axis = np.linspace(-6, 6, 241)
plt.plot(z_axis, sigmoid(z_axis), label="sigmoid")
plt.plot(z_axis, relu(z_axis), label="relu")
plt.ylim(-0.5, 3)
plt.xlabel("z")
plt.legend()
plt.title("Your activations")
plt.show()
"""),
    ])


# ---------------------------------------------------------------------------------------
# graphs: gradients on computational graphs
# ---------------------------------------------------------------------------------------

def graphs() -> NotebookNode:
    points = {
        "add_backward": (2, 1, "the gradients an add node passes back"),
        "multiply_backward": (2, 2, "the gradients a multiply node passes back"),
        "graph_gradients": (3, 2, "∂f/∂x, ∂f/∂y, ∂f/∂z of f = (x + y)·z with your two nodes"),
    }
    return notebook([
        header("Assignment: gradients on computational graphs", """
Backpropagation is the chain rule applied to a graph of small operations, one node at
a time: each node only needs to know how to pass the gradient it receives back to its
own inputs. Here you work through small graphs by hand and then write the backward
rules of the two nodes that make up a neuron's $Wx + b$: add and multiply.
""", points),
        code("setup", """
from dnn_ref.grading import check_add_backward, check_graph_gradients, check_multiply_backward
"""),
        md("worked_graph", r"""
## A worked example, by hand

Take $f = (x + y)\,z$ at $x = 1$, $y = 3$, $z = -3$, and name the intermediate sum
$p = x + y$, so the graph has an add node ($p = x + y$) feeding a multiply node
($f = p\,z$).

**Forward pass**, left to right: $p = 1 + 3 = 4$, then $f = 4 \cdot (-3) = -12$.

**Backward pass**, right to left. It starts from $\partial f/\partial f = 1$.

* Multiply node, $f = p\,z$: the local derivatives are $\partial f/\partial p = z$ and
  $\partial f/\partial z = p$ — each input's gradient is the *other* input, times the
  gradient arriving from above. So $\partial f/\partial p = -3$ and $\partial f/\partial z = 4$.
* Add node, $p = x + y$: $\partial p/\partial x = \partial p/\partial y = 1$, so by the chain rule
  $\partial f/\partial x = \partial f/\partial p \cdot 1 = -3$ and likewise $\partial f/\partial y = -3$.
  An add node hands the gradient it receives unchanged to both inputs.

Each node used only *local* information (its own inputs from the forward pass and the
gradient from above) to produce a *global* result ($\partial f/\partial x$): that is why the
backward pass is cheap. The cell checks the numbers with finite differences.

A warning about notation in other write-ups of this example: some call the output $g$ in
one line and $f$ in the next, or write $\partial x/\partial f$ where they mean
$\partial f/\partial x$. The quantity we want is always the derivative of the **output**
with respect to an **input**: how much $f$ moves when $x$ moves a little.
"""),
        code("worked_graph_code", """
def f_example(x, y, z):
    return (x + y) * z

h = 1e-6
point = (1.0, 3.0, -3.0)
for k, name in enumerate("xyz"):
    shifted = list(point)
    shifted[k] += h
    slope = (f_example(*shifted) - f_example(*point)) / h
    print(f"df/d{name} ≈ {slope:+.4f}")
"""),
        md("by_hand_task", r"""
## Your turn, by hand

Now the graph $g = x\,y + z$ at $x = -2$, $y = 5$, $z = 4$: a multiply node ($q = x\,y$)
feeding an add node ($g = q + z$). Do the forward pass and then the backward pass on
paper, and write your three gradients into the dictionary `by_hand` below, keyed
`"x"`, `"y"` and `"z"`. (This cell is not graded; the cell after it compares your numbers
with your node functions once you have written them.)
"""),
        answer("by_hand", """
### BEGIN SOLUTION
by_hand = {"x": 5.0, "y": -2.0, "z": 1.0}   # q = -10, g = -6; dg/dq = dg/dz = 1
### END SOLUTION
"""),
        md("nodes_task", r"""
## The two nodes

Write the backward rule of each node. `dout` is the gradient of the final output with
respect to the node's output ($\partial f/\partial\,\text{out}$); return the gradients with
respect to the node's two inputs, in the order of the inputs. Everything works
elementwise, so your functions should accept numbers and numpy arrays alike.

* `add_backward(dout)` for `out = x + y` returns `(dx, dy)`;
* `multiply_backward(x, y, dout)` for `out = x * y` returns `(dx, dy)`; it needs the
  inputs of the forward pass, the add node does not.
"""),
        answer("add_backward", '''
def add_backward(dout):
    """Gradients (dx, dy) of out = x + y, given dout = d(final output)/d(out)."""
    ### BEGIN SOLUTION
    return dout, dout
    ### END SOLUTION
'''),
        *tests("add_backward", *points["add_backward"][:2]),
        answer("multiply_backward", '''
def multiply_backward(x, y, dout):
    """Gradients (dx, dy) of out = x * y, given dout = d(final output)/d(out)."""
    ### BEGIN SOLUTION
    return y * dout, x * dout
    ### END SOLUTION
'''),
        *tests("multiply_backward", *points["multiply_backward"][:2]),
        code("by_hand_check", """
dq, dz_graph = add_backward(1.0)               # g = q + z, starting from dg/dg = 1
dx_graph, dy_graph = multiply_backward(-2.0, 5.0, dq)
print("your node functions:", {"x": dx_graph, "y": dy_graph, "z": dz_graph})
print("your numbers:       ", by_hand)
"""),
        md("graph_task", r"""
## The whole graph

Finally, `graph_gradients(x, y, z)` returns the gradients of $f = (x + y)\,z$ as a
dictionary `{"x": ∂f/∂x, "y": ∂f/∂y, "z": ∂f/∂z}`. Compute them the way a deep-learning
framework does: a forward pass through the two nodes, then a backward pass that starts
from $\partial f/\partial f = 1$ and calls **your** `multiply_backward` and `add_backward`.
At the worked example's point it must give $-3$, $-3$ and $4$.
"""),
        answer("graph_gradients", '''
def graph_gradients(x, y, z):
    """Gradients of f = (x + y) * z at (x, y, z), by forward then backward pass."""
    ### BEGIN SOLUTION
    p = x + y                                  # forward: add node (f = p * z follows)
    dp, dz = multiply_backward(p, z, 1.0)      # backward: df/df = 1 enters the multiply node
    dx, dy = add_backward(dp)
    return {"x": dx, "y": dy, "z": dz}
    ### END SOLUTION
'''),
        *tests("graph_gradients", *points["graph_gradients"][:2]),
    ])


# ---------------------------------------------------------------------------------------
# backprop: the backward pass and gradient descent (the required assignment)
# ---------------------------------------------------------------------------------------

def backprop() -> NotebookNode:
    points = {
        "one_layer_backward": (3, 4, "dA_prev, dW, db of one sigmoid layer"),
        "backprop": (3, 4, "the gradients of every layer"),
        "update_parameters": (3, 3, "one step of gradient descent"),
    }
    return notebook([
        header("Assignment: backpropagation", """
You will write the backward pass of a network of sigmoid layers and the gradient
descent step that uses it, then train a network on real medical data with your own
code and watch its cost fall. The forward pass (`forward_prop`) and the cost
(`cost_function`) are given: they are the reference versions of the forward
assignment.
""", points),
        code("setup", """
import numpy as np

from dnn_ref import accuracy, cost_function, forward_prop, init_params, predict, sigmoid
from dnn_ref.grading import check_backprop, check_one_layer_backward, check_update_parameters
"""),
        md("reminder", r"""
## What the forward pass leaves behind

For layer sizes $n_0, n_1, \dots, n_L$ and a batch of $m$ examples stored **one column per
example**, layer $l$ computes $Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}$ and $A^{[l]} = \sigma(Z^{[l]})$:

| array | shape | in the cache of layer $l$ as |
|---|---|---|
| $A^{[l-1]}$ | $(n_{l-1}, m)$ | `A_prev` |
| $W^{[l]}$ | $(n_l, n_{l-1})$ | `W` |
| $b^{[l]}$ | $(n_l, 1)$ | `b` |
| $Z^{[l]}$ | $(n_l, m)$ | `Z` |

`forward_prop(X, parameters)` returns `AL` and a list `caches` in which
`caches[l-1] = ((A_prev, W, b), Z)` belongs to layer $l$ (the list starts at 0, the layers
at 1).

## The four equations of backpropagation

Write $\delta^{[l]} = \partial C / \partial Z^{[l]}$ (`dZ` in code, shape $(n_l, m)$) and
$\odot$ for the elementwise product. With $\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$:

* **BP1** (output layer) $\quad \delta^{[L]} = \dfrac{\partial C}{\partial A^{[L]}} \odot \sigma'(Z^{[L]})$
* **BP2** (layer below) $\quad \delta^{[l]} = \big(W^{[l+1]}\big)^{\mathsf T} \delta^{[l+1]} \odot \sigma'(Z^{[l]})$
* **BP3** (biases) $\quad \dfrac{\partial C}{\partial b^{[l]}} = \dfrac{1}{m} \sum_{\text{examples}} \delta^{[l]}$ — a sum over the columns, shape $(n_l, 1)$
* **BP4** (weights) $\quad \dfrac{\partial C}{\partial W^{[l]}} = \dfrac{1}{m}\, \delta^{[l]} \big(A^{[l-1]}\big)^{\mathsf T}$ — shape $(n_l, n_{l-1})$, like $W^{[l]}$

The $\frac{1}{m}$ is there because the cost is an *average* over the batch; it is applied
once, in `dW` and `db`. The gradient passed down to the layer below,
`dA_prev` $= (W^{[l]})^{\mathsf T} \delta^{[l]}$, is the first half of BP2 and is **not** divided
by $m$. A gradient always has the shape of the thing it is the gradient of: `dW` like
`W`, `db` like `b`, `dA_prev` like `A_prev`.
"""),
        md("worked_intro", r"""
## A worked example: one layer, one example at a time

A layer with two inputs and one sigmoid unit, a batch of $m = 3$ examples, and some
$\partial C/\partial A$ arriving from above. The cell applies BP1, BP3 and BP4 to each example
(one column) separately and then averages — slow, but it is the definition. Your
`one_layer_backward` must produce the same numbers for all columns at once: the loop's
sum of $\delta_i\, a_i^{\mathsf T}$ over examples *is* the matrix product $\delta A^{\mathsf T}$.
"""),
        code("worked_example", """
inputs = np.array([[1.0, 0.0, 2.0],
                   [-1.0, 3.0, 0.5]])       # A_prev, (2, 3): three examples as columns
weights = np.array([[0.5, -0.25]])         # W, (1, 2)
bias = np.array([[0.1]])                   # b, (1, 1)
upstream = np.array([[0.2, -0.4, 0.6]])    # dC/dA of this layer's output, (1, 3)
pre = weights @ inputs + bias              # Z, (1, 3)

n_examples = inputs.shape[1]
sum_dW, sum_db = np.zeros_like(weights), np.zeros_like(bias)
for i in range(n_examples):
    s_i = sigmoid(pre[:, [i]])
    delta_i = upstream[:, [i]] * s_i * (1 - s_i)      # BP1 for example i, (1, 1)
    sum_dW += delta_i @ inputs[:, [i]].T              # example i's share of BP4, (1, 2)
    sum_db += delta_i                                 # example i's share of BP3, (1, 1)
    print(f"example {i}: delta = {delta_i.item():+.5f}, "
          f"gradient for A_prev = {(weights.T @ delta_i).ravel().round(5)}")
print("dW =", (sum_dW / n_examples).round(6), "shape", sum_dW.shape)
print("db =", (sum_db / n_examples).round(6), "shape", sum_db.shape)
"""),
        md("one_layer_task", r"""
## 1. One layer backward

Write `one_layer_backward(dA, cache)` for a **sigmoid** layer: `dA` is
$\partial C/\partial A^{[l]}$ (shape $(n_l, m)$) and `cache` is that layer's
`((A_prev, W, b), Z)`. Compute $\delta$ = `dZ` with $\sigma'$ of the cached `Z`, then `dW`
(BP4), `db` (BP3) and `dA_prev`, and return `(dA_prev, dW, db)`. Keep `db` a column,
shape $(n_l, 1)$ (`keepdims=True`). `sigmoid` is imported above.
"""),
        answer("one_layer_backward", '''
def one_layer_backward(dA, cache):
    """Backward step through one sigmoid layer.

    Parameters
    ----------
    dA : ndarray, shape (n_l, m)
        Gradient of the cost with respect to this layer's output A.
    cache : ((A_prev, W, b), Z)
        What forward_prop stored for this layer.

    Returns
    -------
    dA_prev : ndarray, shape (n_{l-1}, m)
    dW : ndarray, shape (n_l, n_{l-1})
    db : ndarray, shape (n_l, 1)
    """
    ### BEGIN SOLUTION
    (A_prev, W, b), Z = cache
    s = sigmoid(Z)
    dZ = dA * s * (1 - s)                              # BP1 / second half of BP2
    m = A_prev.shape[1]
    dW = dZ @ A_prev.T / m                             # BP4
    db = np.sum(dZ, axis=1, keepdims=True) / m         # BP3
    dA_prev = W.T @ dZ                                 # first half of BP2, for layer l-1
    ### END SOLUTION
    return dA_prev, dW, db
'''),
        *tests("one_layer_backward", *points["one_layer_backward"][:2]),
        md("backprop_task", r"""
## 2. Backpropagation through the whole network

`backprop(AL, Y, caches)` starts at the output with the derivative of the binary
cross-entropy with respect to `AL`, one entry per example (the $\frac{1}{m}$ comes later,
in `dW` and `db`):

$$\frac{\partial C}{\partial A^{[L]}} = -\left(\frac{Y}{A^{[L]}} - \frac{1 - Y}{1 - A^{[L]}}\right).$$

Then it walks the layers from $L$ down to 1, calling **your** `one_layer_backward` on each
layer's cache and handing each layer's `dA_prev` to the layer below. Return a dict with
`dW1 … dWL`, `db1 … dbL` and `dA0 … dA{L-1}`, where `dA{l-1}` is the `dA_prev` that
layer $l$ returned. Mind the indices: layer $l$'s cache is `caches[l-1]`, but its
gradients are filed under `l` — `grads["dWL"]` for the last layer, never `dW{L-1}`
(a published version of this function makes exactly that mistake and then overwrites
its own last-layer gradients).
"""),
        answer("backprop", '''
def backprop(AL, Y, caches):
    """Gradients of the cross-entropy cost for every layer of a sigmoid network.

    Returns a dict with dW1..dWL, db1..dbL (averaged over the m examples) and
    dA0..dA{L-1}, where dA{l-1} is what layer l's one_layer_backward returned as dA_prev.
    """
    ### BEGIN SOLUTION
    grads = {}
    dA = -(Y / AL - (1 - Y) / (1 - AL))               # dC/dAL, one entry per example
    for l in range(len(caches), 0, -1):
        dA, grads[f"dW{l}"], grads[f"db{l}"] = one_layer_backward(dA, caches[l - 1])
        grads[f"dA{l - 1}"] = dA
    return grads
    ### END SOLUTION
'''),
        *tests("backprop", *points["backprop"][:2]),
        md("update_task", r"""
## 3. Gradient descent

One step of gradient descent moves every parameter a little *against* its gradient:

$$W^{[l]} \leftarrow W^{[l]} - \alpha\, \frac{\partial C}{\partial W^{[l]}}, \qquad
b^{[l]} \leftarrow b^{[l]} - \alpha\, \frac{\partial C}{\partial b^{[l]}}$$

for every layer $l$, where $\alpha$ is the learning rate. The gradients are stored under
`"dW1"`, `"db1"`, …, the parameters under `"W1"`, `"b1"`, …. Return the updated
parameters as a **new** dict; leaving the caller's `parameters` untouched is good manners
(then calling the function twice on the same inputs gives the same answer).
"""),
        answer("update_parameters", '''
def update_parameters(parameters, grads, learning_rate):
    """One gradient-descent step on every W{l} and b{l}; returns the new parameters."""
    ### BEGIN SOLUTION
    updated = {}
    for l in range(1, len(parameters) // 2 + 1):
        updated[f"W{l}"] = parameters[f"W{l}"] - learning_rate * grads[f"dW{l}"]
        updated[f"b{l}"] = parameters[f"b{l}"] - learning_rate * grads[f"db{l}"]
    return updated
    ### END SOLUTION
'''),
        *tests("update_parameters", *points["update_parameters"][:2]),
        md("train_intro", r"""
## Your network learns

Time to use your three functions. The Wisconsin breast-cancer set describes 569 tumours
by 30 measurements of their cell nuclei; `Y = 1` means benign. `load_breast_cancer`
splits it into a training set (455 tumours) and a test set (114) and standardises the
features. The loop below is gradient descent with **your** `backprop` and
`update_parameters` (which call your `one_layer_backward`) on a 30-8-1 sigmoid network.
If your functions are right, the cost falls steadily and the network classifies about
97 % of the unseen test tumours correctly. To experiment with other learning rates or
layer sizes, copy the cell into a new one of your own.
"""),
        code("train", """
import matplotlib.pyplot as plt

from dnn_ref.datasets import load_breast_cancer
from dnn_ref.plots import plot_cost

data = load_breast_cancer()
learning_rate = 1.0
parameters = init_params([30, 8, 1], seed=1, method="xavier")
costs = []
for epoch in range(300):
    AL, caches = forward_prop(data.X_train, parameters)
    costs.append(cost_function(AL, data.Y_train))
    grads = backprop(AL, data.Y_train, caches)
    parameters = update_parameters(parameters, grads, learning_rate)

plot_cost(costs)
plt.show()
test_accuracy = accuracy(predict(data.X_test, parameters), data.Y_test)
print(f"cost: {costs[0]:.3f} at the start, {costs[-1]:.3f} after {len(costs)} epochs")
print(f"accuracy on the {data.X_test.shape[1]} test tumours: {test_accuracy:.1%}")
"""),
    ])


ASSIGNMENTS = {"forward": forward, "graphs": graphs, "backprop": backprop}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "solutions",
                        help="folder to write <assignment>/<assignment>.ipynb into")
    args = parser.parse_args()
    for name, build in ASSIGNMENTS.items():
        nb = build()
        nbformat.validate(nb)
        path = args.out / name / f"{name}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
