"""A small class's one_layer_backward answers for the similarity and report tests.

Five independent styles (vectorised, a loop, a tuple return, a sum written with
``dot``, the derivative written out), ``copier`` (ada's answer with every name
changed and comments added) and ``refcopy`` (the body of dnn_ref's
linear_backward pasted into one_layer_backward, read from dnn_ref's source as it
is now). ``dee`` forgets the 1/m of dW.
"""

from __future__ import annotations

import ast
import inspect
import textwrap

from submissions.roster import VECTORISED

from dnn_ref.network import linear_backward


def _code(source: str) -> str:
    return textwrap.dedent(source).strip("\n")


STUB = _code('''
    def one_layer_backward(dA, cache):
        """Backward step through one sigmoid layer.

        Returns dA_prev, dW, db.
        """
        # YOUR CODE HERE
        raise NotImplementedError()
''')

def reference_copy() -> str:
    """A one_layer_backward pasted from dnn_ref: the body of its linear_backward, as it is now."""
    source = inspect.getsource(linear_backward)
    body = ast.parse(source).body[0].body[1:]          # the statements after the docstring
    lines = [textwrap.indent(ast.get_source_segment(source, node) or "", "    ")
             for node in body]
    return "\n".join(["def one_layer_backward(dA, cache):", "    linear_cache, Z = cache",
                      "    dZ = dA * sigmoid_derivative(Z)", *lines])


ANSWERS = {
    "ada": _code(VECTORISED["one_layer_backward"]),   # the roster's correct answer
    "copier": _code('''
        def one_layer_backward(dA, cache):
            # backward pass for one layer
            lin, Zl = cache
            prev, weights, bias = lin
            n_examples = prev.shape[1]
            sig = 1 / (1 + np.exp(-Zl))          # sigmoid
            delta = np.multiply(dA, sig * (1 - sig))
            grad_w = np.dot(delta, prev.T) / n_examples
            grad_b = np.sum(delta, axis=1, keepdims=True) / n_examples
            grad_prev = np.dot(weights.T, delta)
            return grad_prev, grad_w, grad_b
    '''),
    "bo": _code('''
        def one_layer_backward(dA, cache):
            (A_prev, W, b), Z = cache
            n, m = Z.shape
            dW = np.zeros(W.shape)
            db = np.zeros((n, 1))
            dA_prev = np.zeros(A_prev.shape)
            for i in range(m):
                s = 1.0 / (1.0 + np.exp(-Z[:, i]))
                dz = dA[:, i] * s * (1.0 - s)
                dW += np.outer(dz, A_prev[:, i])
                db[:, 0] += dz
                dA_prev[:, i] = W.T.dot(dz)
            return dA_prev, dW / m, db / m
    '''),
    "cy": _code('''
        def one_layer_backward(dA, cache):
            lc, Z = cache
            A_prev = lc[0]
            W = lc[1]
            sig = sigmoid(Z)
            dZ = dA * sig * (1 - sig)
            m = dA.shape[1]
            grads = (W.T @ dZ, (1 / m) * dZ @ A_prev.T, (1 / m) * np.sum(dZ, axis=1).reshape(-1, 1))
            return grads
    '''),
    "dee": _code('''
        def one_layer_backward(dA, cache):
            linear_cache, activation_cache = cache
            A_prev, W, b = linear_cache
            A = 1.0 / (1.0 + np.exp(-activation_cache))
            dZ = dA * A * (1.0 - A)
            m = float(A_prev.shape[1])
            dW = dZ.dot(A_prev.T)
            db = 1.0 / m * dZ.sum(axis=1, keepdims=True)
            return W.T.dot(dZ), dW, db
    '''),
    "eve": _code('''
        def one_layer_backward(dA, cache):
            ((A_prev, W, b), Z) = cache
            batch = A_prev.shape[-1]
            derivative = np.exp(-Z) / (1 + np.exp(-Z)) ** 2
            dZ = dA * derivative
            return (np.matmul(W.T, dZ), np.matmul(dZ, A_prev.T) / batch,
                    dZ.mean(axis=1, keepdims=True))
    '''),
    "refcopy": reference_copy(),
}
