"""dnn_ref: the numpy reference implementation of 'Deep Neural Networks from Scratch'.

Every executable cell of the book calls this package, and the graded
assignments compare students' functions with it. Shapes follow the course:
``X`` is (features, examples), ``W{l}`` is (n_l, n_{l-1}), ``b{l}`` is (n_l, 1).
"""

from dnn_ref.activations import (
    ACTIVATIONS,
    LeakyReLU,
    ReLU,
    Sigmoid,
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
    step,
    step_derivative,
    tanh,
    tanh_derivative,
)
from dnn_ref.losses import (
    binary_cross_entropy,
    binary_cross_entropy_gradient,
    categorical_cross_entropy,
    categorical_cross_entropy_gradient,
    quadratic_cost,
    quadratic_cost_gradient,
)
from dnn_ref.network import (
    accuracy,
    backprop,
    cost_function,
    forward_prop,
    init_params,
    linear_backward,
    one_layer_backward,
    predict,
    train,
    update_parameters,
)

__version__ = "0.1.0"
