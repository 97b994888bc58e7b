"""dnn_ref.grading.recording: the plain codec, the probes and what record() writes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from dnn_ref import network
from dnn_ref.grading import cases
from dnn_ref.grading.recording import (
    GRADING_DIR_ENV,
    Opaque,
    active,
    from_plain,
    probe_add_backward,
    probe_multiply_backward,
    probe_one_layer_backward,
    record,
    to_plain,
    write_cases,
)


def test_plain_round_trip_keeps_types_shapes_and_values():
    value = {"W1": np.arange(6.0).reshape(2, 3), "pair": (1, [2.5, None]), "flag": True,
             "b": np.float64(0.5), "n": np.int32(3)}
    back = from_plain(json.loads(json.dumps(to_plain(value))))
    assert back["W1"].shape == (2, 3) and np.array_equal(back["W1"], value["W1"])
    assert back["pair"] == (1, [2.5, None]) and back["flag"] is True
    assert float(back["b"]) == 0.5 and np.shape(back["n"]) == () and float(back["n"]) == 3.0


def test_objects_come_back_opaque_under_their_own_type_name():
    class EqualToEverything:
        def __eq__(self, other):
            return True

    back = from_plain(to_plain((EqualToEverything(), np.array(["a"]))))
    assert isinstance(back[0], Opaque) and type(back[0]).__name__ == "EqualToEverything"
    # no rigged == survives the trip: an opaque value equals nothing but itself
    assert (back[0] == 1) is False and (back[0] == "anything") is False
    assert (back[0] == back[1]) is False and (back[0] == Opaque("<EqualToEverything object>")) \
        is False
    assert type(back[0]).__eq__ is object.__eq__
    assert not isinstance(back[0], EqualToEverything)
    assert isinstance(back[1], Opaque)


@pytest.mark.parametrize("bad", [{"__array__": [1, 2, 3], "shape": [2, 2]},
                                 {"__dict__": 5}, {"__tuple__": None}, {"x": 1}])
def test_malformed_plain_data_is_opaque_not_an_error(bad):
    assert isinstance(from_plain(bad), Opaque)


def test_deep_nesting_is_cut():
    deep: list = []
    for _ in range(100):
        deep = [deep]
    assert "nested too deeply" in json.dumps(to_plain(deep))


def test_probes_have_the_shapes_of_the_real_helpers_and_depend_on_their_inputs():
    for case in cases("one_layer_backward"):
        dA, cache = case.args
        (A_prev, W, b), Z = cache
        out = probe_one_layer_backward(dA, cache)
        assert [o.shape for o in out] == [A_prev.shape, W.shape, b.shape]
        changed = probe_one_layer_backward(2 * dA, ((A_prev, W, b), Z + 1))
        assert all(not np.allclose(o, c) for o, c in zip(out, changed, strict=True))
        assert not any(np.allclose(o, r) for o, r in zip(
            out, network.one_layer_backward(dA, cache), strict=True))
    dx, dy = probe_add_backward(np.ones((2, 3)))
    assert dx.shape == dy.shape == (2, 3) and not np.allclose(dx, dy)
    x, y = np.full((2, 3), 2.0), np.full((2, 3), -1.0)
    assert not np.allclose(probe_multiply_backward(x, y, 1.0)[0],
                           probe_multiply_backward(y, x, 1.0)[1])


@pytest.fixture
def grading_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv(GRADING_DIR_ENV, str(tmp_path))
    return tmp_path


def written(folder: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((folder / "out").iterdir())]


def test_record_writes_returns_raises_and_args_after(grading_dir, capsys):
    assert active()
    write_cases(grading_dir, "update_parameters", False,
                [(c.name, c.args) for c in cases("update_parameters")])

    def in_place(parameters, grads, learning_rate):
        print("noise")
        for k in parameters:
            parameters[k] -= learning_rate * grads["d" + k]

    record("update_parameters", in_place)
    (rec,) = written(grading_dir)
    assert rec["name"] == "update_parameters" and rec["hidden"] is False
    first = rec["results"][0]
    assert from_plain(first["returned"]) is None
    params, grads, lr = cases("update_parameters")[0].args
    after = from_plain(first["args_after"])[0]
    assert np.allclose(after["W1"], params["W1"] - lr * grads["dW1"])
    assert capsys.readouterr().out.count("\n") == 1          # one neutral line, no "noise"

    def broken(parameters, grads, learning_rate):
        return parameters["W9"]

    record("update_parameters", broken)
    raised = written(grading_dir)[1]["results"][0]["raised"]
    assert raised == {"type": "KeyError", "message": "'W9'",
                      "line": 'return parameters["W9"]', "where": "broken"}


def test_a_composite_is_also_run_with_probe_helpers_which_are_then_put_back(grading_dir):
    write_cases(grading_dir, "backprop", True, [(c.name, c.args) for c in cases("backprop")])
    namespace: dict = {"np": np, "one_layer_backward": network.one_layer_backward}
    exec("def backprop(AL, Y, caches):\n"
         "    return {'dW': one_layer_backward(-(Y / AL), caches[-1])[1]}\n", namespace)
    record("backprop", namespace["backprop"], hidden=True)
    (rec,) = written(grading_dir)
    assert rec["probe"]["swapped"] == ["one_layer_backward"]
    assert len(rec["probe"]["results"]) == len(rec["results"]) == 5
    own = from_plain(rec["results"][0]["returned"])["dW"]
    probed = from_plain(rec["probe"]["results"][0]["returned"])["dW"]
    assert own.shape == probed.shape and not np.allclose(own, probed)
    assert namespace["one_layer_backward"] is network.one_layer_backward


def test_not_active_without_the_directory(monkeypatch, tmp_path):
    monkeypatch.setenv(GRADING_DIR_ENV, str(tmp_path / "missing"))
    assert not active()
    monkeypatch.delenv(GRADING_DIR_ENV)
    assert not active()
