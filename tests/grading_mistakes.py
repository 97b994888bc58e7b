"""Student code for testing the autograder: correct answers and known mistakes.

Each implementation is notebook-cell source code, so the pipeline tests can
paste it into a student notebook and these unit tests can run it with
:func:`load`, which executes it in a fresh namespace the way a notebook
kernel does (the functions' globals are that namespace, so ``backprop``
finds the ``one_layer_backward`` defined next to it).

``CORRECT[name]`` defines a right ``name`` (composites also define their
helpers). ``MISTAKES[key]`` is a :class:`Mistake`: the graded function it
breaks, its source, phrases the checker's diagnosis must contain and the
diagnosis's slug (``Diagnosis.mistake``, what the class report counts).
"""

from __future__ import annotations

import linecache
import textwrap
from dataclasses import dataclass

import numpy as np

SIGMOID = """
def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))
"""

RELU = """
def relu(Z):
    return np.maximum(Z, 0)
"""

FORWARD_PROP = SIGMOID + """
def forward_prop(X, parameters):
    A, caches = X, []
    L = len(parameters) // 2
    for l in range(1, L + 1):
        W, b = parameters['W' + str(l)], parameters['b' + str(l)]
        Z = W @ A + b
        caches.append(((A, W, b), Z))
        A = sigmoid(Z)
    return A, caches
"""

COST_FUNCTION = """
def cost_function(AL, Y):
    m = Y.shape[1]
    return float(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m)
"""

ONE_LAYER_BACKWARD = """
def one_layer_backward(dA, cache):
    (A_prev, W, b), Z = cache
    m = A_prev.shape[1]
    s = 1 / (1 + np.exp(-Z))
    dZ = dA * s * (1 - s)
    dW = dZ @ A_prev.T / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = W.T @ dZ
    return dA_prev, dW, db
"""

BACKPROP_ONLY = """
def backprop(AL, Y, caches):
    grads = {}
    L = len(caches)
    dA = -(Y / AL - (1 - Y) / (1 - AL))
    for l in reversed(range(1, L + 1)):
        dA, grads['dW' + str(l)], grads['db' + str(l)] = one_layer_backward(dA, caches[l - 1])
        grads['dA' + str(l - 1)] = dA
    return grads
"""

UPDATE_PARAMETERS = """
def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    new = {}
    for l in range(1, L + 1):
        for p in 'Wb':
            new[p + str(l)] = parameters[p + str(l)] - learning_rate * grads['d' + p + str(l)]
    return new
"""

ADD_BACKWARD = """
def add_backward(dout):
    return dout, dout
"""

MULTIPLY_BACKWARD = """
def multiply_backward(x, y, dout):
    return y * dout, x * dout
"""

GRAPH_ONLY = """
def graph_gradients(x, y, z):
    p = x + y
    dp, dz = multiply_backward(p, z, 1.0)
    dx, dy = add_backward(dp)
    return {'x': dx, 'y': dy, 'z': dz}
"""

CORRECT: dict[str, str] = {
    "sigmoid": SIGMOID, "relu": RELU, "forward_prop": FORWARD_PROP,
    "cost_function": COST_FUNCTION, "one_layer_backward": ONE_LAYER_BACKWARD,
    "backprop": ONE_LAYER_BACKWARD + BACKPROP_ONLY, "update_parameters": UPDATE_PARAMETERS,
    "add_backward": ADD_BACKWARD, "multiply_backward": MULTIPLY_BACKWARD,
    "graph_gradients": ADD_BACKWARD + MULTIPLY_BACKWARD + GRAPH_ONLY,
}


@dataclass(frozen=True)
class Mistake:
    """A wrong implementation of ``function`` and what the diagnosis must say."""

    function: str
    source: str
    phrases: tuple[str, ...]
    mistake: str = ""
    """The diagnosis's slug (``Diagnosis.mistake``); "" where it is not asserted."""


def _olb(old: str, new: str) -> str:
    """The correct one_layer_backward with one line changed."""
    assert old in ONE_LAYER_BACKWARD, old
    return ONE_LAYER_BACKWARD.replace(old, new)


def _bp(old: str, new: str) -> str:
    """A correct one_layer_backward with a backprop that has one line changed."""
    assert old in BACKPROP_ONLY, old
    return ONE_LAYER_BACKWARD + BACKPROP_ONLY.replace(old, new)


def _up(old: str, new: str) -> str:
    assert old in UPDATE_PARAMETERS, old
    return UPDATE_PARAMETERS.replace(old, new)


def _fp(old: str, new: str) -> str:
    assert old in FORWARD_PROP, old
    return FORWARD_PROP.replace(old, new)


SEED_002_BACKPROP = ONE_LAYER_BACKWARD + """
def backprop(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    grads['dA' + str(L - 1)], grads['dW' + str(L - 1)], grads['db' + str(L - 1)] = \\
        one_layer_backward(dAL, caches[L - 1])
    for l in reversed(range(L - 1)):
        dA_prev, dW, db = one_layer_backward(grads['dA' + str(l + 1)], caches[l])
        grads['dA' + str(l)], grads['dW' + str(l + 1)], grads['db' + str(l + 1)] = dA_prev, dW, db
    return grads
"""

SEED_002_UPDATE = """
def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(L):
        k = str(l + 1)
        parameters['W' + k] = parameters['W' + k] - learning_rate * grads['W' + k]
        parameters['b' + k] = parameters['b' + k] - learning_rate * grads['b' + k]
    return parameters
"""

SEED_002_COST = """
def cost_function(A, Y):
    m = Y.shape[1]
    return (-1 / m) * (np.dot(np.log(A), Y.T) + np.dot(log(1 - A), 1 - Y.T))
"""

MISTAKES: dict[str, Mistake] = {
    # one_layer_backward
    "dW without 1/m": Mistake("one_layer_backward", _olb(
        "dW = dZ @ A_prev.T / m", "dW = dZ @ A_prev.T"), ("dW", "1/m is missing"),
        mistake="dw_missing_1_over_m"),
    "db without 1/m": Mistake("one_layer_backward", _olb(
        "keepdims=True) / m", "keepdims=True)"), ("db", "1/m is missing"),
        mistake="db_missing_1_over_m"),
    "dW transposed": Mistake("one_layer_backward", _olb(
        "dW = dZ @ A_prev.T / m", "dW = A_prev @ dZ.T / m"), ("dW", "transposed"),
        mistake="dw_transposed"),
    "dA_prev with W": Mistake("one_layer_backward", _olb(
        "dA_prev = W.T @ dZ", "dA_prev = W @ dZ"), ("dA_prev", "Wᵀ"),
        mistake="da_prev_without_transpose"),
    "dA_prev without derivative": Mistake("one_layer_backward", _olb(
        "dA_prev = W.T @ dZ", "dA_prev = W.T @ dA"), ("dA_prev", "derivative is missing"),
        mistake="dz_without_derivative"),
    "sigma instead of sigma prime": Mistake("one_layer_backward", _olb(
        "dZ = dA * s * (1 - s)", "dZ = dA * s"), ("σ(Z)", "derivative σ′(Z)"),
        mistake="sigma_instead_of_sigma_prime"),
    "db without keepdims": Mistake("one_layer_backward", _olb(
        "np.sum(dZ, axis=1, keepdims=True) / m", "np.sum(dZ, axis=1) / m"),
        ("db", "keepdims=True"),
        mistake="db_without_keepdims"),
    "wrong return order": Mistake("one_layer_backward", _olb(
        "return dA_prev, dW, db", "return dW, db, dA_prev"), ("wrong order", "(dA_prev, dW, db)"),
        mistake="wrong_return_order"),
    "returns None": Mistake("one_layer_backward", _olb(
        "return dA_prev, dW, db", "pass"), ("returned None", "return dA_prev, dW, db"),
        mistake="returned_none"),
    "two values": Mistake("one_layer_backward", _olb(
        "return dA_prev, dW, db", "return dW, db"), ("returned 2 values", "should return 3"),
        mistake="wrong_number_of_values"),
    "NaN": Mistake("one_layer_backward", _olb(
        "dW = dZ @ A_prev.T / m", "dW = dZ @ A_prev.T / 0 * 0"), ("dW", "NaN"),
        mistake="not_finite"),
    "not an array": Mistake("one_layer_backward", _olb(
        "return dA_prev, dW, db", "return dA_prev, 'dW', db"), ("dW", "not an array"),
        mistake="not_an_array"),
    "untouched stub": Mistake("one_layer_backward", """
def one_layer_backward(dA, cache):
    # YOUR CODE HERE
    raise NotImplementedError()
""", ("not implemented one_layer_backward yet",),
        mistake="not_implemented"),
    "exception": Mistake("one_layer_backward", _olb(
        "m = A_prev.shape[1]", "m = A_prev.shape[2]"),
        ("IndexError", "one_layer_backward", "A_prev.shape[2]"),
        mistake="index_out_of_range"),
    # backprop
    "seed 002 backprop": Mistake("backprop", SEED_002_BACKPROP,
                                 ("no key 'dW2'", "index L − 1", "overwrites"),
        mistake="last_layer_filed_under_l_minus_1"),
    "wrong dAL sign": Mistake("backprop", _bp(
        "dA = -(Y / AL - (1 - Y) / (1 - AL))", "dA = Y / AL - (1 - Y) / (1 - AL)"),
        ("dAL has the wrong sign",),
        mistake="dal_wrong_sign"),
    "misnamed key": Mistake("backprop", _bp(
        "grads['dW' + str(l)]", "grads['dw' + str(l)]"), ("no key 'dW", "case-sensitive"),
        mistake="key_wrong_case"),
    # update_parameters
    "seed 002 update": Mistake("update_parameters", SEED_002_UPDATE,
                               ("KeyError", "grads['dW1']", "not grads['W1']"),
        mistake="grads_key_without_d"),
    "gradient ascent": Mistake("update_parameters", _up(
        "] - learning_rate", "] + learning_rate"), ("gradient ascent", "W1"),
        mistake="gradient_ascent"),
    "biases dropped": Mistake("update_parameters", _up(
        "for p in 'Wb':", "for p in 'W':"), ("no key 'b1'",),
        mistake="biases_dropped"),
    "only W updated": Mistake("update_parameters", """
def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters['W' + str(l)] -= learning_rate * grads['dW' + str(l)]
    return parameters
""", ("b1 was not updated", "Only the weights were updated"),
        mistake="biases_not_updated"),
    "in place, returns None": Mistake("update_parameters", """
def update_parameters(parameters, grads, learning_rate):
    for key in list(parameters):
        parameters[key] -= learning_rate * grads['d' + key]
""", ("in place", "return parameters"),
        mistake="updated_in_place_returned_none"),
    # forward assignment
    "sigmoid returns (A, cache)": Mistake("sigmoid", """
def sigmoid(Z):
    A = 1 / (1 + np.exp(-Z))
    return A, Z
""", ("pair (A, cache)", "return A"),
        mistake="returns_a_pair"),
    "sigmoid unstable": Mistake("sigmoid", """
def sigmoid(Z):
    return np.exp(Z) / (1 + np.exp(Z))
""", ("NaN", "large |z|"),
        mistake="sigmoid_overflow"),
    "sigmoid sign": Mistake("sigmoid", """
def sigmoid(Z):
    return 1 / (1 + np.exp(Z))
""", ("σ(−z)",),
        mistake="sigmoid_missing_minus"),
    "relu derivative": Mistake("relu", """
def relu(Z):
    return (Z > 0) * 1.0
""", ("derivative",),
        mistake="relu_returns_derivative"),
    "relu np.max": Mistake("relu", """
def relu(Z):
    return np.max(Z, 0)
""", ("np.maximum",),
        mistake="relu_np_max"),
    "forward_prop caches A": Mistake("forward_prop", _fp(
        "caches.append(((A, W, b), Z))", "caches.append(((A, W, b), sigmoid(Z)))"),
        ("caches[0][1]", "backprop needs Z1"),
        mistake="cache_stores_a_for_z"),
    "forward_prop flat cache": Mistake("forward_prop", _fp(
        "caches.append(((A, W, b), Z))", "caches.append((A, W, b, Z))"),
        ("caches[0]", "((A_prev, W, b), Z)"),
        mistake="cache_not_a_pair"),
    "forward_prop one layer short": Mistake("forward_prop", _fp(
        "range(1, L + 1)", "range(1, L)"), ("stops one layer early",),
        mistake="loop_stops_one_layer_early"),
    "cost undefined log": Mistake("cost_function", SEED_002_COST,
                                  ("NameError", "np.log"),
        mistake="numpy_name_without_np"),
    "cost without minus": Mistake("cost_function", COST_FUNCTION.replace("float(-np", "float(np"),
                                  ("sign is wrong",),
        mistake="cost_wrong_sign"),
    "cost without 1/m": Mistake("cost_function", COST_FUNCTION.replace(") / m)", "))"),
                                ("1/m is missing",),
        mistake="cost_missing_1_over_m"),
    "cost per example": Mistake("cost_function", """
def cost_function(AL, Y):
    return -(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
""", ("one number", "per-example"),
        mistake="cost_not_a_number"),
    # graphs
    "multiply swapped": Mistake("multiply_backward", """
def multiply_backward(x, y, dout):
    return x * dout, y * dout
""", ("wrong order",),
        mistake="wrong_return_order"),
    "multiply without dout": Mistake("multiply_backward", """
def multiply_backward(x, y, dout):
    return y, x
""", ("upstream gradient is missing",),
        mistake="multiply_without_upstream"),
    "add ignores dout": Mistake("add_backward", """
def add_backward(dout):
    return 1.0, 1.0
""", ("upstream gradient is missing",),
        mistake="add_without_upstream"),
    "graph returns tuple": Mistake("graph_gradients", ADD_BACKWARD + MULTIPLY_BACKWARD + """
def graph_gradients(x, y, z):
    p = x + y
    dp, dz = multiply_backward(p, z, 1.0)
    return add_backward(dp) + (dz,)
""", ("a dict", "tuple"),
        mistake="not_a_dict"),
    # frequent slips on forums of similar assignments
    "sigma prime of Z": Mistake("one_layer_backward", _olb(
        "dZ = dA * s * (1 - s)", "dZ = dA * Z * (1 - Z)"), ("Z·(1 − Z)", "s = σ(Z) first"),
        mistake="sigma_prime_of_z"),
    "sigma prime with 1 - Z": Mistake("one_layer_backward", _olb(
        "dZ = dA * s * (1 - s)", "dZ = dA * s * (1 - Z)"), ("σ(Z)·(1 − Z)", "1 − σ(Z)"),
        mistake="sigma_prime_one_minus_z"),
    "db divided by m twice": Mistake("one_layer_backward", _olb(
        "keepdims=True) / m", "keepdims=True) / m / m"), ("db", "divided by m twice"),
        mistake="db_divided_by_m_twice"),
    "dW divided by m twice": Mistake("one_layer_backward", _olb(
        "dW = dZ @ A_prev.T / m", "dW = dZ @ A_prev.T / m / m"), ("dW", "divided by m twice"),
        mistake="dw_divided_by_m_twice"),
    "m from the wrong axis": Mistake("one_layer_backward", _olb(
        "m = A_prev.shape[1]", "m = A_prev.shape[0]"), ("dW", "A_prev.shape[1]"),
        mistake="m_from_wrong_axis"),
    "dA_prev is dZ": Mistake("one_layer_backward", _olb(
        "dA_prev = W.T @ dZ", "dA_prev = dZ"), ("dA_prev", "W.T"),
        mistake="da_prev_is_dz"),
    "A_prev not transposed": Mistake("one_layer_backward", _olb(
        "dW = dZ @ A_prev.T / m", "dW = dZ @ A_prev / m"),
        ("ValueError", "`dW = dZ @ A_prev / m`", "A_prev is not transposed", "A_prev.T"),
        mistake="a_prev_not_transposed"),
    "db sum without axis": Mistake("one_layer_backward", _olb(
        "np.sum(dZ, axis=1, keepdims=True) / m", "np.sum(dZ) / m"), ("db", "every entry"),
        mistake="db_sum_without_axis"),
    "db summed over units": Mistake("one_layer_backward", _olb(
        "axis=1, keepdims=True", "axis=0, keepdims=True"), ("db", "axis=0", "axis=1"),
        mistake="db_summed_over_units"),
    "dAL misplaced parenthesis": Mistake("backprop", _bp(
        "dA = -(Y / AL - (1 - Y) / (1 - AL))", "dA = -Y / AL - (1 - Y) / (1 - AL)"),
        ("whole bracket", "−Y/AL − (1 − Y)/(1 − AL)"), mistake="dal_misplaced_parenthesis"),
    "dAL given to every layer": Mistake("backprop", ONE_LAYER_BACKWARD + """
def backprop(AL, Y, caches):
    grads = {}
    L = len(caches)
    dAL = -(Y / AL - (1 - Y) / (1 - AL))
    for l in reversed(range(1, L + 1)):
        dA_prev, dW, db = one_layer_backward(dAL, caches[l - 1])
        grads['dW' + str(l)], grads['db' + str(l)], grads['dA' + str(l - 1)] = dW, db, dA_prev
    return grads
""", ("every layer was given dAL", "dA = dA_prev"), mistake="dal_reused_for_every_layer"),
    "wrong cache index": Mistake("backprop", _bp("caches[l - 1]", "caches[l]"),
                                 ("IndexError", "caches[l]", "caches[l − 1]"),
                                 mistake="wrong_cache_index"),
    "dA_prev filed one layer up": Mistake("backprop", _bp(
        "grads['dA' + str(l - 1)] = dA", "grads['dA' + str(l)] = dA"),
        ("no key 'dA0'", "filed one layer up", "'dA' + str(l - 1)"),
        mistake="da_prev_filed_one_layer_up"),
    "L counts W and b": Mistake("update_parameters", _up(
        "L = len(parameters) // 2", "L = len(parameters)"),
        ("KeyError", "there is no 'W3'", "len(parameters) // 2"), mistake="layer_beyond_last"),
    "key from int": Mistake("forward_prop", _fp("parameters['W' + str(l)]",
                                                "parameters['W' + l]"),
                            ("TypeError", "'W' + str(l)"), mistake="key_built_from_int"),
    "sigmoid with math.exp": Mistake("sigmoid", """
import math
def sigmoid(Z):
    return 1 / (1 + math.exp(-Z))
""", ("TypeError", "np.exp"), mistake="math_function_on_array"),
    "relu with max": Mistake("relu", """
def relu(Z):
    return max(0, Z)
""", ("ValueError", "np.maximum(Z, 0)"), mistake="python_max_or_if_on_array"),
    "cost np.dot without transpose": Mistake("cost_function", """
def cost_function(AL, Y):
    m = Y.shape[1]
    return float(-(np.dot(Y, np.log(AL)) + np.dot(1 - Y, np.log(1 - AL))) / m)
""", ("ValueError", "both (1, m)", "np.dot(Y, np.log(AL).T)"),
        mistake="cost_dot_without_transpose"),
    "learning rate added": Mistake("update_parameters", _up(
        "- learning_rate * grads['d' + p + str(l)]",
        "- (learning_rate + grads['d' + p + str(l)])"), ("W1", "multiplies"),
        mistake="learning_rate_added"),
    "learning rate missing": Mistake("update_parameters", _up(
        "- learning_rate * grads", "- grads"), ("W1", "learning rate is missing"),
        mistake="learning_rate_missing"),
    "layers from 0": Mistake("update_parameters", _up("range(1, L + 1)", "range(L)"),
                             ("KeyError", "no layer 0", "range(1, L + 1)"),
                             mistake="layer_numbered_from_zero"),
    "forward_prop without bias": Mistake("forward_prop", _fp("Z = W @ A + b", "Z = W @ A"),
                                         ("AL", "bias is missing"),
                                         mistake="forward_bias_missing"),
    "cost log(a) twice": Mistake("cost_function", COST_FUNCTION.replace(
        "np.log(1 - AL)", "np.log(AL)"), ("both terms take log(a)",),
        mistake="cost_log_of_a_in_both_terms"),
    "cost m from Y.shape[0]": Mistake("cost_function", COST_FUNCTION.replace(
        "m = Y.shape[1]", "m = Y.shape[0]"), ("1/m is missing", "m = Y.shape[1]"),
        mistake="cost_missing_1_over_m"),
}


def load(source: str, name: str = "student") -> dict[str, object]:
    """Execute cell ``source`` in a fresh namespace (with ``np``), like a notebook kernel.

    The source is registered with :mod:`linecache`, as IPython does, so
    tracebacks show the failing line.
    """
    source = textwrap.dedent(source)
    filename = f"<cell {name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict[str, object] = {"np": np, "__name__": "__main__"}
    exec(compile(source, filename, "exec"), namespace)
    return namespace

HELPER_FAULTS: dict[str, Mistake] = {
    # A composite that is right with the reference helpers passes (it is graded on its own
    # work); its pass line must name the student's faulty helper with these phrases.
    "buggy one_layer_backward": Mistake("backprop", _olb(
        "dW = dZ @ A_prev.T / m", "dW = dZ @ A_prev.T") + BACKPROP_ONLY,
        ("backprop itself is right", "fault is in your one_layer_backward", "1/m is missing")),
    "graph with buggy multiply": Mistake("graph_gradients", ADD_BACKWARD + """
def multiply_backward(x, y, dout):
    return x * dout, y * dout
""" + GRAPH_ONLY, ("graph_gradients itself is right", "the fault is in your multiply_backward")),
}
