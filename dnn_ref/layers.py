"""The object API: a ``Layer`` that keeps what its backward pass needs, and a ``Network``.

The functional API (:mod:`dnn_ref.network`) passes parameters and caches
around explicitly. Here each layer owns its weights and biases, remembers its
input ``a_prev`` and pre-activation ``z`` during :meth:`Layer.forward`, and in
:meth:`Layer.backward` turns ``da`` into gradients, updates itself and hands
``da_prev`` to the layer before it. For one layer with activation f::

    dz      = da ⊙ f′(z)         (for softmax the product Jᵀ·da, see activations)
    dW      = (1/m) dz · a_prevᵀ
    db      = (1/m) Σ_examples dz
    da_prev = Wᵀ · dz            (with W as it was before the update)
    W ← W − α·dW,   b ← b − α·db

Seed 004 writes these for a single example (m = 1), where the 1/m and the
sum disappear. On a batch we average exactly as :mod:`dnn_ref.network` does,
so that for the same weights both APIs produce the same numbers. A
:class:`Network` starts its output layer from dz = a − y
(:meth:`Layer.backward_from_dz`), exact where a rounds to 0 or 1, as
:func:`dnn_ref.network.backprop` does.

Shapes follow the course: ``inputs`` is (n_inputs, m), one column per example.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from tqdm.auto import tqdm

from dnn_ref.activations import Activation, get_activation
from dnn_ref.output_layer import OUTPUTS, cost_from_logits, output_error, predictions
from dnn_ref.validation import as_matrix, check_same_shape, n_layers

Array = NDArray[np.float64]


class Layer:
    """A fully connected layer a = f(W·a_prev + b) that trains itself.

    Parameters
    ----------
    n_inputs : int
        Units of the previous layer (or features of the input), n_{l−1}.
    n_neurons : int
        Units of this layer, n_l.
    activation : str or Activation
        f, by name (``"sigmoid"``, ``"relu"``, ``"tanh"``, ``"leaky_relu"``,
        ``"step"``, ``"softmax"``) or as an object from :mod:`dnn_ref.activations`.
    weights : array_like, shape (n_neurons, n_inputs), optional
        Initial W (copied). By default randn · 0.01 from a generator seeded
        with ``seed``, the scale of :func:`dnn_ref.network.init_params`.
    biases : array_like, shape (n_neurons, 1), optional
        Initial b (copied); zeros by default.
    seed : int or None
        Seed for the default weights; ignored when ``weights`` is given.

    Attributes
    ----------
    weights : ndarray, shape (n_neurons, n_inputs)
    biases : ndarray, shape (n_neurons, 1)
    activation : Activation
    inputs : ndarray, shape (n_inputs, m)
        a_prev of the last :meth:`forward` call (``None`` before the first).
    outputs : ndarray, shape (n_neurons, m)
        The pre-activation z = W·a_prev + b of the last :meth:`forward` call
        ([Layer-UA]'s name; note it is z, not the activation a).
    d_weights, d_biases : ndarray
        dW and db of the last :meth:`backward` call.
    """

    def __init__(
        self, n_inputs: int, n_neurons: int, activation: str | Activation = "sigmoid", *,
        weights: ArrayLike | None = None, biases: ArrayLike | None = None,
        seed: int | None = None,
    ) -> None:
        if int(n_inputs) < 1 or int(n_neurons) < 1:
            raise ValueError(f"a layer needs n_inputs ≥ 1 and n_neurons ≥ 1, got "
                             f"n_inputs={n_inputs}, n_neurons={n_neurons}")
        self.n_inputs, self.n_neurons = int(n_inputs), int(n_neurons)
        self.activation = get_activation(activation)
        if weights is None:
            weights = np.random.default_rng(seed).standard_normal((self.n_neurons,
                                                                  self.n_inputs)) * 0.01
        if biases is None:
            biases = np.zeros((self.n_neurons, 1))
        self.weights = np.array(weights, dtype=np.float64)
        self.biases = np.array(biases, dtype=np.float64)
        for name, array, shape in (("weights", self.weights, (self.n_neurons, self.n_inputs)),
                                   ("biases", self.biases, (self.n_neurons, 1))):
            if array.shape != shape:
                raise ValueError(f"{name} must have shape (n_neurons, "
                                 f"{'n_inputs' if name == 'weights' else '1'}) = {shape} "
                                 f"for this layer, got {array.shape}")
        self.inputs: Array | None = None
        self.outputs: Array | None = None
        self.d_weights: Array | None = None
        self.d_biases: Array | None = None

    def __repr__(self) -> str:
        return f"Layer({self.n_inputs}, {self.n_neurons}, {self.activation.name!r})"

    def forward(self, inputs: ArrayLike) -> Array:
        """Compute a = f(W·inputs + b) and remember ``inputs`` and z.

        Parameters
        ----------
        inputs : array_like, shape (n_inputs, m)
            a_prev, one column per example (a single example is (n_inputs, 1)).

        Returns
        -------
        ndarray, shape (n_neurons, m)
            The activations a.

        Raises
        ------
        ValueError
            If ``inputs`` is not 2-D or does not have n_inputs rows.
        """
        a_prev = as_matrix(inputs, "inputs")
        if a_prev.shape[0] != self.n_inputs:
            raise ValueError(
                f"{self!r} expects inputs of shape (n_inputs, m) = ({self.n_inputs}, m), got "
                f"{a_prev.shape}; rows are features and columns examples (transpose?)"
            )
        self.inputs = a_prev
        self.outputs = self.weights @ a_prev + self.biases
        return self.activation(self.outputs)

    def backward(self, da: ArrayLike, learning_rate: float) -> Array:
        """Backpropagate ``da`` through this layer and update it (mutates the layer).

        Computes dz = da ⊙ f′(z) (for softmax, the vector–Jacobian product
        :func:`dnn_ref.activations.softmax_backward`), then hands it to
        :meth:`backward_from_dz`: dW = (1/m) dz·a_prevᵀ, db = (1/m) Σ dz and
        da_prev = Wᵀ·dz with the weights *before* the update, then
        ``weights`` and ``biases`` change in place: W ← W − α·dW, b ← b − α·db.

        Seed 004 works on one example, without the 1/m. On a batch of m
        examples we average dW and db over the batch, exactly like
        :func:`dnn_ref.network.linear_backward`; ``da_prev`` is not averaged.
        With m = 1 both conventions agree.

        Parameters
        ----------
        da : array_like, shape (n_neurons, m)
            ∂C/∂a for this layer's activations (per example, no 1/m).
        learning_rate : float
            Step size α.

        Returns
        -------
        ndarray, shape (n_inputs, m)
            da_prev, to pass to the previous layer's ``backward``.

        Raises
        ------
        RuntimeError
            If :meth:`forward` has not been called yet.
        ValueError
            If ``da`` does not have the shape of the last forward's output.
        """
        z = self._last_z("backward")
        da = as_matrix(da, "da")
        check_same_shape(da, "da", z, "this layer's last output")
        dz = self.activation.backward(z, da)      # da ⊙ f′(z)
        return self.backward_from_dz(dz, learning_rate)

    def backward_from_dz(self, dz: ArrayLike, learning_rate: float) -> Array:
        """The linear half of :meth:`backward`, from dz = ∂C/∂z: gradients, then the update.

        A :class:`Network` calls it directly for its output layer, with
        dz = a − y (sigmoid or softmax with cross-entropy).

        Parameters
        ----------
        dz : array_like, shape (n_neurons, m)
            ∂C/∂z per example (no 1/m).
        learning_rate : float

        Returns
        -------
        ndarray, shape (n_inputs, m)
            da_prev = Wᵀ·dz, with W as it was before the update.
        """
        z = self._last_z("backward_from_dz")
        dz = as_matrix(dz, "dz")
        check_same_shape(dz, "dz", z, "this layer's last z")
        m = self.inputs.shape[1]
        self.d_weights = (dz @ self.inputs.T) / m
        self.d_biases = dz.sum(axis=1, keepdims=True) / m
        da_prev = self.weights.T @ dz
        self.weights -= learning_rate * self.d_weights
        self.biases -= learning_rate * self.d_biases
        return da_prev

    def _last_z(self, method: str) -> Array:
        if self.inputs is None or self.outputs is None:
            raise RuntimeError(f"{self!r}.{method} needs the inputs and z of a forward pass; "
                               "call forward first")
        return self.outputs


class Network:
    """A classifier made of :class:`Layer` objects applied in order.

    The name is the book's (and :mod:`dnn_ref.network`'s): it is the same
    network as the functional API, with a sigmoid output and binary
    cross-entropy, or a softmax output over K classes and categorical
    cross-entropy, only with the state kept inside the layers. It is not a
    general container with a pluggable loss, which a name like
    ``Sequential`` would suggest.

    Parameters
    ----------
    layers : sequence of Layer
        Input side first. Each layer's ``n_inputs`` must equal the previous
        layer's ``n_neurons``. The last layer's activation is ``"sigmoid"``
        (0/1 labels, usually one unit) or ``"softmax"`` (one-hot labels, one
        unit per class): it names the cost.
    """

    def __init__(self, layers: Sequence[Layer]) -> None:
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("a Network needs at least one Layer")
        for i in range(1, len(self.layers)):
            before, after = self.layers[i - 1], self.layers[i]
            if after.n_inputs != before.n_neurons:
                raise ValueError(
                    f"layers[{i}] expects {after.n_inputs} inputs but layers[{i - 1}] has "
                    f"{before.n_neurons} neurons; make them equal"
                )
        self.output = self.layers[-1].activation.name
        if self.output not in OUTPUTS:
            raise ValueError(f"the last layer's activation is {self.layers[-1].activation!r}; "
                             f"a Network's output layer is one of {OUTPUTS}, which name its "
                             "cross-entropy")

    def __repr__(self) -> str:
        return f"Network([{', '.join(repr(layer) for layer in self.layers)}])"

    @classmethod
    def from_parameters(
        cls, parameters: Mapping[str, ArrayLike], hidden_activation: str = "sigmoid", *,
        output: str = "sigmoid",
    ) -> Network:
        """Build layers from a functional-API dict ``{'W1', 'b1', …, 'WL', 'bL'}``.

        The arrays are copied: training the network leaves ``parameters``
        unchanged. Layers 1 … L−1 use ``hidden_activation`` and layer L
        ``output`` (``"sigmoid"`` or ``"softmax"``), as in
        :func:`dnn_ref.network.forward_prop`.
        """
        L = n_layers(parameters)
        layers = []
        for k in range(1, L + 1):
            W = np.asarray(parameters[f"W{k}"], dtype=np.float64)
            if W.ndim != 2:
                raise ValueError(f"W{k} must be 2-D (n{k}, n{k - 1}), got shape {W.shape}")
            layers.append(Layer(W.shape[1], W.shape[0],
                                output if k == L else hidden_activation,
                                weights=W, biases=parameters[f"b{k}"]))
        return cls(layers)

    def parameters(self) -> dict[str, Array]:
        """The weights and biases as a new functional-API dict (copies)."""
        params: dict[str, Array] = {}
        for k, layer in enumerate(self.layers, start=1):
            params[f"W{k}"] = layer.weights.copy()
            params[f"b{k}"] = layer.biases.copy()
        return params

    def forward(self, X: ArrayLike) -> Array:
        """Output activations AL, shape (n_L, m), for X of shape (n_0, m)."""
        A = as_matrix(X, "X")
        for layer in self.layers:
            A = layer.forward(A)
        return A

    def backward(self, AL: ArrayLike, Y: ArrayLike, learning_rate: float) -> Array:
        """Backpropagate the cross-entropy's gradient and update every layer.

        The output layer starts from its error dz = AL − Y, as
        :func:`dnn_ref.network.backprop` does (the cross-entropy's dAL times
        σ′, or softmax's vector–Jacobian product, multiplied out; exact where
        AL rounds to 0 or 1); every layer below from the ``da_prev`` of the
        layer above, through :meth:`Layer.backward`.

        Parameters
        ----------
        AL : array_like, shape (n_L, m)
            The output of the last :meth:`forward`.
        Y : array_like, shape (n_L, m)
            0/1 labels (sigmoid output) or one-hot columns (softmax).
        learning_rate : float

        Returns
        -------
        ndarray, shape (n_0, m)
            dA0, the gradient with respect to the inputs.
        """
        dz = output_error(AL, Y)  # dz = a − y: BP1 for cross-entropy
        dA = self.layers[-1].backward_from_dz(dz, learning_rate)
        for layer in reversed(self.layers[:-1]):
            dA = layer.backward(dA, learning_rate)
        return dA

    def train_step(self, X: ArrayLike, Y: ArrayLike, learning_rate: float) -> float:
        """One step of full-batch gradient descent; returns the cost *before* the step.

        The cost is computed from the output layer's z, exactly, as
        :func:`dnn_ref.output_layer.cost_from_logits` does.
        """
        AL = self.forward(X)
        cost = cost_from_logits(self.layers[-1].outputs, Y, output=self.output)
        self.backward(AL, Y, learning_rate)
        return cost

    def fit(
        self, X: ArrayLike, Y: ArrayLike, epochs: int, learning_rate: float,
        progress: bool = False,
    ) -> list[float]:
        """Train by full-batch gradient descent for ``epochs`` steps.

        Returns
        -------
        list of float
            The cost at the start of each epoch, like the history of
            :func:`dnn_ref.training.train` with ``batch_size=None``.
        """
        X = as_matrix(X, "X")
        Y = as_matrix(Y, "Y")
        if X.shape[1] != Y.shape[1]:
            raise ValueError(f"X has {X.shape[1]} examples (columns) but Y has {Y.shape[1]}")
        return [self.train_step(X, Y, learning_rate)
                for _ in tqdm(range(epochs), disable=not progress, desc="training",
                              unit="epoch")]

    def predict(self, X: ArrayLike, threshold: float = 0.5) -> Array:
        """0/1 predictions in the labels' shape, as :func:`dnn_ref.network.predict` makes them."""
        return predictions(self.forward(X), self.output, threshold)
