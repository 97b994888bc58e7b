"""Diagnosers of backpropagation: one_layer_backward and backprop (sigmoid layers).

For every output we compute the right answer *and* what each known mistake
returns (dW without 1/m is m·dW, σ(Z) where σ′(Z) belongs, …); a student's
value that equals a mistake's gets that mistake's name and fix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from dnn_ref import network as ref
from dnn_ref.activations import sigmoid, sigmoid_derivative
from dnn_ref.grading.diagnoses.compare import (
    Variants,
    Wrong,
    as_dict,
    compare,
    list_keys,
    matches,
    unpack,
)
from dnn_ref.i18n import _
from dnn_ref.losses import binary_cross_entropy_gradient

Array = np.ndarray

OUTPUTS = ("dA_prev", "dW", "db")
"""What one_layer_backward returns, in order."""


def _wrong_dz(dA: Array, Z: Array) -> list[tuple[str, str, Array]]:
    """(slug, cause, dZ) of the mistakes made in dZ = dA ⊙ σ′(Z)."""
    s = sigmoid(Z)
    fix = "dZ = dA ⊙ σ(Z)·(1 − σ(Z))"
    return [
        ("dz_without_derivative", "the activation derivative is missing: dZ = dA ⊙ σ′(Z), "
                                  "not dA.", dA),
        ("sigma_instead_of_sigma_prime", _("you used σ(Z) where the derivative σ′(Z) = "
                                           "σ(Z)·(1 − σ(Z)) belongs: {fix}.").format(fix=fix),
         dA * s),
        ("sigma_prime_of_z", _("you computed σ′ as Z·(1 − Z), the A·(1 − A) formula applied to "
                               "Z. σ′(Z) = σ(Z)·(1 − σ(Z)): compute s = σ(Z) first, {fix}.")
         .format(fix=fix), dA * Z * (1 - Z)),
        ("sigma_prime_one_minus_z", _("you computed σ′ as σ(Z)·(1 − Z); the second factor is "
                                      "1 − σ(Z): {fix}.").format(fix=fix), dA * s * (1 - Z)),
    ]


def one_layer_variants(dA: Array, cache: tuple) -> dict[str, Variants]:
    """What each known mistake of one_layer_backward returns, per output.

    Parameters
    ----------
    dA : ndarray, shape (n_l, m)
    cache : ((A_prev (n_{l−1}, m), W (n_l, n_{l−1}), b (n_l, 1)), Z (n_l, m))

    Returns
    -------
    dict
        ``{"dA_prev": variants, "dW": variants, "db": variants}``, each a list
        of (slug, cause, value).
    """
    (A_prev, W, _b), Z = cache
    n_prev, m = A_prev.shape
    dZ = dA * sigmoid_derivative(Z)
    dA_prev, dW, db = W.T @ dZ, dZ @ A_prev.T / m, dZ.sum(axis=1, keepdims=True) / m
    wrong_dz = _wrong_dz(dA, Z)
    axis = ("m_from_wrong_axis", _("m is the number of examples, A_prev.shape[1] = {m}; "
                                   "A_prev.shape[0] = {n_prev} is the number of units of the "
                                   "previous layer.").format(m=m, n_prev=n_prev))
    square = [("da_prev_without_transpose", "dA_prev needs the transpose: dA_prev = Wᵀ·dZ "
                                            "(W.T @ dZ), not W·dZ.", W @ dZ)] \
        if W.shape[0] == W.shape[1] else []
    return {
        "dA_prev": square + [
            ("da_prev_is_dz", "dA_prev = Wᵀ·dZ: you returned dZ itself; multiply it by W.T.",
             dZ),
            *[(slug, cause, W.T @ z) for slug, cause, z in wrong_dz],
            ("da_prev_divided_by_m", "dA_prev must not be divided by m: only dW and db are "
                                     "averaged.", dA_prev / m),
            ("da_prev_wrong_sign", "the sign is flipped.", -dA_prev)],
        "dW": [
            ("dw_missing_1_over_m", "the 1/m is missing: dW = (1/m)·dZ·A_prevᵀ.", dW * m),
            ("dw_transposed", "dW is transposed: it must have W's shape (n_l, n_prev), "
                              "dW = (1/m)·dZ·A_prevᵀ.", dW.T),
            ("dw_divided_by_m_twice", "dW is divided by m twice.", dW / m),
            (*axis, dW * m / n_prev),
            *[(slug, cause, z @ A_prev.T / m) for slug, cause, z in wrong_dz],
            ("dw_wrong_sign", "the sign is flipped.", -dW)],
        "db": [
            ("db_without_keepdims", _("db has shape ({n},) instead of ({n}, 1): sum with "
                                      "keepdims=True, np.sum(dZ, axis=1, keepdims=True) / m.")
             .format(n=db.shape[0]), db.ravel()),
            ("db_missing_1_over_m", "the 1/m is missing: db = (1/m)·Σ dZ over the examples.",
             db * m),
            ("db_divided_by_m_twice", "db is divided by m twice: db = (1/m)·Σ dZ, once.", db / m),
            (*axis, db * m / n_prev),
            ("db_summed_over_units", "you summed over the units (axis=0); sum over the "
                                     "examples, axis=1.", dZ.sum(axis=0, keepdims=True) / m),
            ("db_summed_over_units", "you summed over the units (axis=0); sum over the "
                                     "examples, axis=1.", dZ.sum(axis=0) / m),
            ("db_sum_without_axis", "you summed every entry of dZ; sum over the examples only "
                                    "(axis=1, keepdims=True).", dZ.sum() / m),
            *[(slug, cause, z.sum(axis=1, keepdims=True) / m) for slug, cause, z in wrong_dz]],
    }


def diagnose_one_layer_backward(args: tuple, result: object, args_after: tuple | None) -> None:
    """``one_layer_backward(dA, cache) -> (dA_prev, dW, db)`` of a sigmoid layer."""
    dA, cache = args
    expected = dict(zip(OUTPUTS, ref.one_layer_backward(dA, cache), strict=True))
    got = unpack(result, OUTPUTS, expected)
    variants = one_layer_variants(dA, cache)
    for key in OUTPUTS:
        compare(key, got[key], expected[key], variants[key])


def backprop_from(dAL: Array, caches: list, layer_dA: Callable[[Array, Array], Array] | None
                  = None) -> dict[str, Array]:
    """Reference backprop (sigmoid everywhere) started from a given dAL.

    ``layer_dA(dAL, dA)`` picks the dA each layer receives (default: the dA
    the layer above returned); it lets a mistake variant feed dAL to every layer.
    """
    grads, dA = {}, dAL
    for l in range(len(caches), 0, -1):
        Z = caches[l - 1][1]
        given = dA if layer_dA is None else np.broadcast_to(layer_dA(dAL, dA), Z.shape) * 1.0
        dA, grads[f"dW{l}"], grads[f"db{l}"] = ref.one_layer_backward(given, caches[l - 1])
        grads[f"dA{l - 1}"] = dA
    return grads


def grad_keys(L: int) -> list[str]:
    """Gradient keys from the last layer back: dWL, dbL, dA(L−1), …, dW1, db1, dA0."""
    return [k for l in range(L, 0, -1) for k in (f"dW{l}", f"db{l}", f"dA{l - 1}")]


def _missing_key(grads: Mapping, missing: list[str], expected: Mapping, L: int) -> Wrong:
    """Explain a missing gradient key: where its value went, or which slip is likely."""
    key, slug = missing[0], "missing_key"
    text = _("grads has no key {key}").format(key=repr(key))
    if len(missing) > 1:
        text += _(" (also missing: {keys})").format(keys=", ".join(repr(k) for k in missing[1:]))
    text += _(". It has {keys}.").format(keys=list_keys(grads))
    elsewhere = next((k for k in grads if k not in expected
                      and matches(grads[k], expected[key])), None)
    if elsewhere is not None:
        slug = "value_under_wrong_key"
        text += _(" The value that belongs under {key} is stored under {elsewhere}.").format(
            key=repr(key), elsewhere=repr(elsewhere))
    if key[:2] == "dA" and all(matches(grads.get(f"dA{l}"), expected[f"dA{l - 1}"])
                               for l in range(1, L + 1)):
        slug = "da_prev_filed_one_layer_up"
        text += _(" Each dA_prev is filed one layer up: the dA_prev that layer l returns is "
                  "dA(l−1), the gradient of layer l − 1's output; store it under "
                  "'dA' + str(l - 1), not 'dA' + str(l).")
    lower = {str(k).lower(): k for k in grads}
    if key.lower() in lower and lower[key.lower()] != key:
        slug = "key_wrong_case"
        text += _(" Keys are case-sensitive: rename {found} to {key}.").format(
            found=repr(lower[key.lower()]), key=repr(key))
    index_slip = elsewhere in (None, f"{key[:2]}{L - 1}") and key.lower() not in lower
    if index_slip and key in (f"dW{L}", f"db{L}") and f"{key[:2]}{L - 1}" in grads:
        slug = "last_layer_filed_under_l_minus_1"
        text += _(" Layer {L} is the last layer (L = len(caches) = {L}); its gradients go "
                  "under 'dW{L}' and 'db{L}'. Filing them under index L − 1 = {L_1} "
                  "(the Romanian numpy article's bug) puts them under the wrong layer, and the "
                  "loop then overwrites them.").format(L=L, L_1=L - 1)
    return Wrong(slug, text + _(" Expected keys: {keys}.").format(
        keys=", ".join(repr(k) for k in sorted(expected))))


def _backprop_variants(AL: Array, Y: Array, caches: list, expected: dict) -> dict[str, Variants]:
    """What each known mistake of backprop itself stores under every key."""
    m = AL.shape[1]
    dAL = binary_cross_entropy_gradient(AL, Y)
    whole = [
        ("dal_wrong_sign", "dAL has the wrong sign: dAL = −(Y/AL − (1 − Y)/(1 − AL)).",
         backprop_from(-dAL, caches)),
        ("dal_misplaced_parenthesis", "the minus of dAL = −(Y/AL − (1 − Y)/(1 − AL)) belongs "
                                      "to the whole bracket; you computed "
                                      "−Y/AL − (1 − Y)/(1 − AL).",
         backprop_from(-Y / AL - (1 - Y) / (1 - AL), caches)),
        ("dal_divided_by_m", "dAL already includes 1/m, and one_layer_backward divides dW and "
                             "db by m again.", backprop_from(dAL / m, caches)),
        ("dal_is_dz", "you started from dAL = AL − Y, which is dZ of the last layer; start from "
                      "dAL = −(Y/AL − (1 − Y)/(1 − AL)).", backprop_from(AL - Y, caches)),
        ("dal_reused_for_every_layer", "every layer was given dAL; layer l needs the dA that "
                                       "the layer above returned (dA = dA_prev in the loop).",
         backprop_from(dAL, caches, lambda dAL, dA: dAL))]
    out = {k: [(slug, cause, g[k]) for slug, cause, g in whole] for k in expected}
    for k in expected:
        out[k] += [("wrong_layer_index", _("it holds the value that belongs under {key}: check "
                                           "the layer index you store each gradient under.")
                    .format(key=repr(k2)), expected[k2])
                   for k2 in expected if k2 != k and k2[:2] == k[:2]]
    return out


def diagnose_backprop(args: tuple, result: object, args_after: tuple | None) -> None:
    """``backprop(AL, Y, caches) -> grads`` with dW1…dWL, db1…dbL, dA0…dA(L−1)."""
    AL, Y, caches = args
    expected = ref.backprop(AL, Y, caches)
    grads = as_dict(result, _("a dict of gradients ('dW1', 'db1', …)"), "grads")
    keys = grad_keys(len(caches))
    missing = [k for k in keys if k not in grads]
    if missing:
        raise _missing_key(grads, missing, expected, len(caches))
    variants = _backprop_variants(AL, Y, caches, expected)
    for key in keys:
        compare(f"grads[{key!r}]", grads[key], expected[key], variants[key])
