"""The classes graded by tests/test_instructor_autograde.py, one list per assignment.

``BACKPROP`` is the full class: two correct styles, every mistake the checkers
diagnose, and the uploads that must not stop a grading run (untouched stub,
syntax error, infinite loop, corrupt file). ``FORWARD`` and ``GRAPHS`` have one
correct and one wrong student each.
"""

from __future__ import annotations

from grading_mistakes import MISTAKES

from submissions import Submission

# ------------------------------------------------------------------ backprop: correct answers

VECTORISED = {
    "one_layer_backward": '''
        def one_layer_backward(dA, cache):
            linear_cache, Z = cache
            A_prev, W, b = linear_cache
            m = A_prev.shape[1]
            s = 1 / (1 + np.exp(-Z))
            dZ = np.multiply(dA, s * (1 - s))
            dW = np.dot(dZ, A_prev.T) / m
            db = np.sum(dZ, axis=1, keepdims=True) / m
            dA_prev = np.dot(W.T, dZ)
            return dA_prev, dW, db
    ''',
    "backprop": '''
        def backprop(AL, Y, caches):
            grads = {}
            L = len(caches)
            dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
            for l in reversed(range(1, L + 1)):
                dA_prev, dW, db = one_layer_backward(dA, caches[l - 1])
                grads["dA" + str(l - 1)] = dA_prev
                grads["dW" + str(l)] = dW
                grads["db" + str(l)] = db
                dA = dA_prev
            return grads
    ''',
    "update_parameters": '''
        def update_parameters(parameters, grads, learning_rate):
            return {key: value - learning_rate * grads["d" + key]
                    for key, value in parameters.items()}
    ''',
}

LOOPS = {
    "one_layer_backward": '''
        def one_layer_backward(dA, cache):
            (A_prev, W, b), Z = cache
            n, m = Z.shape
            dW = np.zeros(W.shape)
            db = np.zeros((n, 1))
            dA_prev = np.zeros(A_prev.shape)
            for i in range(m):                       # one example (column) at a time
                s = 1.0 / (1.0 + np.exp(-Z[:, i]))
                dz = dA[:, i] * s * (1.0 - s)
                dW += np.outer(dz, A_prev[:, i])
                db[:, 0] += dz
                dA_prev[:, i] = W.T.dot(dz)
            return dA_prev, dW / m, db / m
    ''',
    "backprop": '''
        def backprop(AL, Y, caches):
            grads = dict()
            current = np.divide(1 - Y, 1 - AL) - np.divide(Y, AL)
            l = len(caches)
            while l >= 1:
                current, grads["dW%d" % l], grads["db%d" % l] = one_layer_backward(
                    current, caches[l - 1])
                grads["dA%d" % (l - 1)] = current
                l -= 1
            return grads
    ''',
    "update_parameters": '''
        def update_parameters(parameters, grads, learning_rate):
            new_parameters = {}
            for key in parameters:
                new_parameters[key] = parameters[key].copy()
                for index in np.ndindex(parameters[key].shape):
                    new_parameters[key][index] -= learning_rate * grads["d" + key][index]
            return new_parameters
    ''',
}

IN_PLACE_UPDATE = '''
    def update_parameters(parameters, grads, learning_rate):
        L = len(parameters) // 2
        for l in range(1, L + 1):
            parameters["W" + str(l)] -= learning_rate * grads["dW" + str(l)]
            parameters["b" + str(l)] -= learning_rate * grads["db" + str(l)]
        return parameters
'''

SYNTAX_ERROR_BACKPROP = '''
    def backprop(AL, Y, caches)
        grads = {}
        return grads
'''

# A runaway loop above the function: the cell never reaches the def, nbgrader stops it
# after the per-cell timeout, and only update_parameters' tests (and the demo) fail.
LOOPING_UPDATE = '''
    step = 0.1
    while step > 0:          # meant to shrink the step until training is stable; never does
        step = step * 1.0

    def update_parameters(parameters, grads, learning_rate):
        return {k: v - learning_rate * grads["d" + k] for k, v in parameters.items()}
'''

CORRUPT = '{\n "cells": [\n  {\n   "cell_type": "code",\n   "source": ["def one_layer_back'

BLAME = ("backprop itself is right", "fault is in your one_layer_backward")


def _mistake(student: str, key: str, *, blamed: bool = False) -> Submission:
    """A student whose notebook is VECTORISED except for one mistake of the catalogue."""
    mistake = MISTAKES[key]
    phrases = {mistake.function: mistake.phrases}
    zero = {mistake.function}
    if blamed:       # backprop keeps its points (it is right with the reference step) and
        phrases["backprop"] = BLAME     # its pass line names the culprit
    return Submission(student, {**VECTORISED, mistake.function: mistake.source},
                      frozenset(zero), phrases)


BACKPROP: list[Submission] = [
    Submission("correct_vectorised", VECTORISED),
    Submission("correct_loops", LOOPS),
    _mistake("dw_without_1_over_m", "dW without 1/m", blamed=True),
    _mistake("db_without_1_over_m", "db without 1/m", blamed=True),
    _mistake("dw_transposed", "dW transposed", blamed=True),
    _mistake("da_prev_with_w", "dA_prev with W", blamed=True),
    _mistake("da_prev_without_derivative", "dA_prev without derivative", blamed=True),
    _mistake("sigma_for_sigma_prime", "sigma instead of sigma prime", blamed=True),
    _mistake("db_without_keepdims", "db without keepdims", blamed=True),
    _mistake("dal_wrong_sign", "wrong dAL sign"),
    _mistake("seed002_backprop", "seed 002 backprop"),
    _mistake("seed002_update", "seed 002 update"),
    Submission("in_place_update", {**VECTORISED, "update_parameters": IN_PLACE_UPDATE}),
    _mistake("gradient_ascent", "gradient ascent"),
    _mistake("only_w_updated", "only W updated"),
    Submission("untouched_stub", {},
               frozenset({"one_layer_backward", "backprop", "update_parameters"}),
               {"one_layer_backward": ("NotImplementedError",),
                "backprop": ("NotImplementedError",),
                "update_parameters": ("NotImplementedError",)}),
    Submission("syntax_error", {**VECTORISED, "backprop": SYNTAX_ERROR_BACKPROP},
               frozenset({"backprop"}), {"backprop": ("SyntaxError", "NameError")}),
    Submission("infinite_loop", {**VECTORISED, "update_parameters": LOOPING_UPDATE},
               frozenset({"update_parameters"}),
               {"update_parameters": ("CellTimeoutError", "NameError")}),
    Submission("corrupt_upload", raw=CORRUPT,
               zero=frozenset({"one_layer_backward", "backprop", "update_parameters"})),
]

# ------------------------------------------------------------------ forward and graphs

FORWARD: list[Submission] = [
    Submission("correct_forward", {
        "sigmoid": '''
            def sigmoid(Z):
                return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(Z, dtype=float)))
        ''',
        "relu": '''
            def relu(Z):
                return np.where(Z > 0, Z, 0.0)
        ''',
        "forward_prop": '''
            def forward_prop(X, parameters):
                A, caches = X, []
                for l in range(1, len(parameters) // 2 + 1):
                    W, b = parameters["W" + str(l)], parameters["b" + str(l)]
                    Z = np.dot(W, A) + b
                    caches.append(((A, W, b), Z))
                    A = sigmoid(Z)
                return A, caches
        ''',
        "cost_function": '''
            def cost_function(AL, Y):
                m = Y.shape[1]
                cost = -(np.dot(np.log(AL), Y.T) + np.dot(np.log(1 - AL), (1 - Y).T)) / m
                return cost.item()          # a (1, 1) array; float() of it fails in numpy 2
        ''',
    }),
    # seed 002's versions: sigmoid returns (A, cache) and the cost calls a bare `log`;
    # its forward_prop unpacks that pair, so forward_prop itself is right.
    Submission("seed002_forward", {
        "sigmoid": MISTAKES["sigmoid returns (A, cache)"].source,
        "relu": '''
            def relu(Z):
                return np.maximum(Z, 0)
        ''',
        "forward_prop": '''
            def forward_prop(X, parameters):
                A, caches = X, []
                for l in range(1, len(parameters) // 2 + 1):
                    A_prev = A
                    W, b = parameters["W" + str(l)], parameters["b" + str(l)]
                    Z = np.dot(W, A_prev) + b
                    A, activation_cache = sigmoid(Z)
                    caches.append(((A_prev, W, b), activation_cache))
                return A, caches
        ''',
        "cost_function": MISTAKES["cost undefined log"].source,
    }, frozenset({"sigmoid", "cost_function"}),
        {"sigmoid": MISTAKES["sigmoid returns (A, cache)"].phrases,
         "cost_function": MISTAKES["cost undefined log"].phrases}),
]

GRAPHS: list[Submission] = [
    Submission("correct_graphs", {
        "by_hand": 'by_hand = {"x": 5, "y": -2, "z": 1}',
        "add_backward": '''
            def add_backward(dout):
                return 1.0 * dout, 1.0 * dout
        ''',
        "multiply_backward": '''
            def multiply_backward(x, y, dout):
                dx = dout * y
                dy = dout * x
                return dx, dy
        ''',
        "graph_gradients": '''
            def graph_gradients(x, y, z):
                s = x + y
                d_s, d_z = multiply_backward(s, z, 1.0)
                d_x, d_y = add_backward(d_s)
                return {"x": d_x, "y": d_y, "z": d_z}
        ''',
    }),
    Submission("swapped_multiply", {
        "add_backward": '''
            def add_backward(dout):
                return dout, dout
        ''',
        "multiply_backward": MISTAKES["multiply swapped"].source,
        "graph_gradients": '''
            def graph_gradients(x, y, z):
                p = x + y
                dp, dz = multiply_backward(p, z, 1.0)
                dx, dy = add_backward(dp)
                return {"x": dx, "y": dy, "z": dz}
        ''',
    }, frozenset({"multiply_backward"}),
        {"multiply_backward": MISTAKES["multiply swapped"].phrases,
         "graph_gradients": ("graph_gradients itself is right", "multiply_backward")}),
]

CLASSES: dict[str, list[Submission]] = {"backprop": BACKPROP, "forward": FORWARD,
                                        "graphs": GRAPHS}
