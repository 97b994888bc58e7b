"""Every mistake slug a diagnosis can carry, with a short title for the class report.

A slug is stable: the class misconception report counts students per slug
across assignments and terms, so a slug is never renamed or reused for
another mistake (add a new one instead). The titles are for tables and bar
charts; the full explanation is each diagnosis's message.
"""

from __future__ import annotations

from dnn_ref.i18n import _

GENERIC: dict[str, str] = {
    "wrong_values": "right shape, wrong values (no known mistake matches)",
    "wrong_shape": "wrong shape",
    "right_values_wrong_shape": "right values in the wrong shape",
    "returned_none": "returns None (a missing return)",
    "not_an_array": "returns something that is not an array of numbers",
    "not_finite": "NaN or inf in the result",
    "not_a_tuple": "returns something other than the tuple asked for",
    "not_a_dict": "returns something other than a dict",
    "wrong_number_of_values": "returns the wrong number of values",
    "wrong_return_order": "returns the values in the wrong order",
    "missing_key": "a key of the returned dict is missing",
    "uncheckable": "a result too odd to compare",
    "raised": "raised an exception (no known cause matches)",
}
"""Kinds of failure that name no particular mistake."""

NAMED: dict[str, str] = {
    # sigmoid, relu
    "returns_a_pair": "returns (A, cache) instead of A",
    "sigmoid_overflow": "sigmoid overflows for large |z|",
    "sigmoid_missing_minus": "σ(−z): the minus in e^(−z) is missing",
    "sigmoid_returns_derivative": "sigmoid returns its derivative",
    "relu_returns_derivative": "relu returns its derivative",
    "relu_keeps_negative_part": "relu keeps the negative part",
    "relu_np_max": "np.max(Z, 0) instead of np.maximum(Z, 0)",
    "relu_unchanged": "relu returns Z unchanged",
    # forward_prop
    "al_without_sigmoid": "AL is Z of the last layer (no sigmoid)",
    "hidden_layers_relu": "ReLU in the hidden layers",
    "loop_stops_one_layer_early": "the layer loop stops one layer early",
    "forward_bias_missing": "the bias b is missing from Z",
    "caches_wrong_length": "caches is not one cache per layer",
    "cache_not_a_pair": "a cache is not ((A_prev, W, b), Z)",
    "linear_cache_not_a_triple": "a linear cache is not (A_prev, W, b)",
    "cache_stores_output_as_input": "the cache holds the layer's output as A_prev",
    "cache_stores_a_for_z": "the cache holds A instead of Z",
    # cost_function
    "cost_not_a_number": "the cost is an array, not one number",
    "cost_wrong_sign": "the cost has the wrong sign",
    "cost_missing_1_over_m": "the cost's 1/m is missing",
    "cost_missing_second_term": "the (1 − y)·log(1 − a) term is missing",
    "cost_missing_first_term": "the y·log(a) term is missing",
    "cost_log_of_a_in_both_terms": "log(a) in both terms of the cost",
    "cost_log10": "log10 instead of the natural log",
    "cost_dot_without_transpose": "np.dot(Y, log(AL)) without a transpose",
    # one_layer_backward
    "dz_without_derivative": "dZ without the activation derivative",
    "sigma_instead_of_sigma_prime": "σ(Z) where σ′(Z) belongs",
    "sigma_prime_of_z": "σ′ computed as Z·(1 − Z)",
    "sigma_prime_one_minus_z": "σ′ computed as σ(Z)·(1 − Z)",
    "da_prev_without_transpose": "dA_prev = W·dZ (W not transposed)",
    "da_prev_is_dz": "dA_prev = dZ (W.T @ missing)",
    "da_prev_divided_by_m": "dA_prev divided by m",
    "da_prev_wrong_sign": "dA_prev has the wrong sign",
    "dw_missing_1_over_m": "dW without the 1/m",
    "dw_transposed": "dW transposed",
    "dw_divided_by_m_twice": "dW divided by m twice",
    "dw_wrong_sign": "dW has the wrong sign",
    "a_prev_not_transposed": "dW = dZ·A_prev (A_prev not transposed)",
    "m_from_wrong_axis": "m taken from A_prev.shape[0]",
    "db_without_keepdims": "db without keepdims=True",
    "db_missing_1_over_m": "db without the 1/m",
    "db_divided_by_m_twice": "db divided by m twice",
    "db_summed_over_units": "db summed over the units (axis=0)",
    "db_sum_without_axis": "db summed over every entry (no axis)",
    # backprop
    "dal_wrong_sign": "dAL has the wrong sign",
    "dal_misplaced_parenthesis": "dAL = −Y/AL − (1 − Y)/(1 − AL) (misplaced bracket)",
    "dal_divided_by_m": "dAL divided by m (1/m applied twice)",
    "dal_is_dz": "backprop starts from AL − Y (dZ, not dAL)",
    "dal_reused_for_every_layer": "dAL given to every layer",
    "wrong_layer_index": "gradients filed under another layer's key",
    "value_under_wrong_key": "a gradient stored under the wrong key",
    "key_wrong_case": "gradient keys with the wrong case ('dw1')",
    "last_layer_filed_under_l_minus_1": "the last layer's gradients under index L − 1 (Numpy-RO)",
    "da_prev_filed_one_layer_up": "dA_prev stored under 'dA' + str(l)",
    "wrong_cache_index": "caches[l] instead of caches[l − 1]",
    # update_parameters
    "gradient_ascent": "gradient ascent (the step added)",
    "parameter_not_updated": "a weight not updated",
    "biases_not_updated": "biases not updated",
    "biases_dropped": "biases left out of the returned dict",
    "learning_rate_missing": "the learning rate is missing",
    "learning_rate_added": "the learning rate added, not multiplied",
    "updated_in_place_returned_none": "updated in place, returned None",
    # graphs
    "add_without_upstream": "add node ignores the upstream gradient",
    "multiply_dx_dy_swapped": "multiply node's dx and dy swapped",
    "multiply_without_upstream": "multiply node ignores the upstream gradient",
    "multiply_uses_add_rule": "multiply node uses the add rule",
    "graph_multiply_inputs_swapped": "multiply_backward's inputs or outputs swapped",
    # exceptions
    "not_implemented": "not implemented (NotImplementedError)",
    "numpy_name_without_np": "a numpy function without np. (e.g. log)",
    "undefined_name": "an undefined name",
    "grads_key_without_d": "grads['W1'] instead of grads['dW1']",
    "layer_numbered_from_zero": "layers numbered from 0",
    "layer_beyond_last": "a layer beyond the last (L = len(parameters))",
    "gradient_never_stored": "a gradient read that was never stored",
    "key_error": "a missing dict key",
    "key_built_from_int": "a key built as 'W' + l (int)",
    "wrong_unpack_count": "unpacking the wrong number of values",
    "shapes_do_not_fit": "array shapes that do not fit",
    "helper_returned_a_pair": "a helper's (A, cache) pair used as an array",
    "helper_returned_none": "a helper returning None",
    "math_function_on_array": "math.exp or math.log on an array",
    "python_max_or_if_on_array": "Python's max() or if on an array",
    "index_out_of_range": "an index out of range",
    # what grading takes away (the at-home check, dnn_ref.grading.diagnoses.delegation)
    "calls_the_reference": "calls the course's reference, absent when graded",
    "uses_autodiff_library": "differentiates with an autodiff library (blocked when graded)",
}
"""Named mistakes, by the function they belong to."""

TITLES: dict[str, str] = {**GENERIC, **NAMED}
"""Every slug with its short title (in English; :func:`title` in the current language)."""


def title(slug: str) -> str:
    """The short title of a known slug in the current language (:mod:`dnn_ref.i18n`)."""
    return _(TITLES[slug])
