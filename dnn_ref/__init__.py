"""dnn_ref: the numpy reference implementation of 'Deep Neural Networks from Scratch'.

Every executable cell of the book calls this package, and the graded
assignments compare students' functions with it. Shapes follow the course:
``X`` is (features, examples), ``W{l}`` is (n_l, n_{l-1}), ``b{l}`` is (n_l, 1).
A tag in brackets, such as [Numpy-RO] or [Salton], cites a source listed on the
book's references page (``book/references.md``).

Modules, one concept each:

* :mod:`~dnn_ref.activations` — sigmoid, tanh, ReLU, … and their derivatives;
* :mod:`~dnn_ref.losses` — quadratic, binary and categorical cross-entropy, from AL or from Z;
* :mod:`~dnn_ref.network` — the functional API: init, forward, cost, backprop, update;
* :mod:`~dnn_ref.output_layer` — sigmoid or softmax output: its cost and error from Z;
* :mod:`~dnn_ref.multiclass` — one-hot labels, class numbers, the confusion matrix;
* :mod:`~dnn_ref.training` — ``train``, the gradient-descent loop over those steps;
* :mod:`~dnn_ref.layers` — the same network as ``Layer`` objects;
* :mod:`~dnn_ref.gradcheck` — gradients checked by finite differences;
* :mod:`~dnn_ref.graph` — scalar reverse-mode autodiff on a computational graph;
* :mod:`~dnn_ref.datasets` — offline data sets in the (features, examples) layout;
* :mod:`~dnn_ref.toy_problems` — generated 2-D sets (moons, circles, XOR), also in ``datasets``.

Two subpackages sit beside these course modules:

* :mod:`~dnn_ref.figures` — the book's pictures (plots, slider figures); book-only;
* :mod:`~dnn_ref.grading` — the assignments' checks, ``check_<name>`` (the grading side a
  student has; the grader's own side is the ``autograder`` package),
  built on :mod:`~dnn_ref.grading.cases` (the test cases), :mod:`~dnn_ref.grading.checking`
  (running them at home), :mod:`~dnn_ref.grading.recording` (what a check does inside the
  grading sandbox) and :mod:`~dnn_ref.grading.diagnoses` (naming each mistake).

``graph``, ``datasets``, ``multiclass``, ``figures`` and ``grading`` load on first use
(``dnn_ref.figures.plots`` works after a plain ``import dnn_ref``), so importing the
package stays quick: it does not pull in matplotlib or scikit-learn until a plot or a
data set is asked for.
"""

import importlib
from types import ModuleType

from dnn_ref.activations import (
    ACTIVATIONS,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Step,
    Tanh,
    get_activation,
    leaky_relu,
    leaky_relu_derivative,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    softmax,
    softmax_backward,
    step,
    step_derivative,
    tanh,
    tanh_derivative,
)
from dnn_ref.gradcheck import (
    GradCheckResult,
    check_network_gradients,
    gradient_check,
    numerical_gradient,
    relative_error,
)
from dnn_ref.layers import Layer, Network
from dnn_ref.losses import (
    binary_cross_entropy,
    binary_cross_entropy_gradient,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_gradient,
    categorical_cross_entropy,
    categorical_cross_entropy_gradient,
    quadratic_cost,
    quadratic_cost_gradient,
    softmax_cross_entropy_with_logits,
    softmax_cross_entropy_with_logits_gradient,
)
from dnn_ref.network import (
    accuracy,
    backprop,
    cost_from_logits,
    cost_function,
    forward_prop,
    init_params,
    linear_backward,
    one_layer_backward,
    output_error,
    predict,
    update_parameters,
)
from dnn_ref.training import train

__version__ = "0.1.0"

_LAZY = ("graph", "datasets", "figures", "grading", "multiclass")


def __getattr__(name: str) -> ModuleType:
    if name in _LAZY:
        return importlib.import_module(f"dnn_ref.{name}")
    raise AttributeError(f"module 'dnn_ref' has no attribute {name!r}")
