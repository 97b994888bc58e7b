"""Diagnoser of update_parameters: one gradient-descent step for every layer."""

from __future__ import annotations

from dnn_ref import network as ref
from dnn_ref.grading.diagnoses.compare import Wrong, as_dict, compare, list_keys, matches
from dnn_ref.i18n import _


def diagnose_update_parameters(args: tuple, result: object, args_after: tuple | None) -> None:
    """``update_parameters(parameters, grads, learning_rate) -> parameters``.

    ``parameters`` holds W{l} (n_l, n_{l−1}) and b{l} (n_l, 1); ``grads`` holds
    dW{l}, db{l} of the same shapes. Updating in place is fine if the dict is
    returned; ``args_after`` (the arguments after the call) recognises an
    in-place update that forgot the ``return``.
    """
    params, grads, lr = args
    expected = ref.update_parameters(params, grads, lr)
    if result is None and args_after is not None and \
            all(matches(args_after[0].get(k), v) for k, v in expected.items()):
        raise Wrong("updated_in_place_returned_none",
                    _("it updated parameters in place (fine) but returned None; end it with "
                      "`return parameters`."))
    new = as_dict(result, _("a dict of the updated parameters"), "parameters")
    missing = [k for k in expected if k not in new]
    if missing:
        only_b = all(k[0] == "b" for k in missing)
        raise Wrong("biases_dropped" if only_b else "missing_key",
                    _("the returned dict has no key {key}; it has {keys}. Expected keys: "
                      "{expected}.").format(key=repr(missing[0]), keys=list_keys(new),
                                            expected=", ".join(repr(k) for k in expected))
                    + (_(" Update the biases too, b ← b − α·db.") if only_b else ""))
    for key, value in expected.items():
        old, g = params[key], grads[f"d{key}"]
        is_b = key[0] == "b"
        compare(key, new[key], value, [
            ("gradient_ascent", _("gradient ascent: the step was added. Gradient descent "
                                  "subtracts it: {key} ← {key} − α·d{key}.").format(key=key),
             old + lr * g),
            ("biases_not_updated" if is_b else "parameter_not_updated",
             _("{key} was not updated (it still holds its old value).").format(key=key)
             + (_(" Only the weights were updated; update the biases too, b ← b − α·db.")
                if is_b else ""), old),
            ("learning_rate_missing", _("the learning rate is missing: {key} − α·d{key}, not "
                                        "{key} − d{key}.").format(key=key), old - g),
            ("learning_rate_added", _("the learning rate was added to the gradient; it "
                                      "multiplies it: {key} − α·d{key}, not {key} − (α + d{key}).")
             .format(key=key), old - (lr + g))])
