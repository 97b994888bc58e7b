"""Tests of dnn_ref.datasets: shapes, splits, standardisation, argument errors."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn import datasets as sk

from dnn_ref import datasets, toy_problems
from dnn_ref.network import accuracy, predict
from dnn_ref.training import train

STRICT = {"over": "raise", "divide": "raise", "invalid": "raise"}

LOADERS = {
    "breast_cancer": (datasets.load_breast_cancer, sk.load_breast_cancer, 30, 1),
    "digits_binary": (datasets.load_digits_binary, sk.load_digits, 64, 1),
    "digits_multiclass": (datasets.load_digits_multiclass, sk.load_digits, 64, 10),
}


@pytest.fixture(scope="module", params=list(LOADERS))
def loaded(request):
    """(name, Dataset with default arguments, raw scikit-learn bunch)."""
    ours, raw, _, _ = LOADERS[request.param]
    with warnings.catch_warnings(), np.errstate(**STRICT):
        warnings.simplefilter("error")
        data = ours()
    return request.param, data, raw()


# ---------------------------------------------------------------- real data sets

def test_shapes_dtypes_and_sizes(loaded):
    name, data, raw = loaded
    _, _, n_features, n_outputs = LOADERS[name]
    m = raw.data.shape[0]
    m_test = data.X_test.shape[1]
    assert data.X_train.shape == (n_features, m - m_test)
    assert data.Y_train.shape == (n_outputs, m - m_test)
    assert data.X_test.shape == (n_features, m_test)
    assert data.Y_test.shape == (n_outputs, m_test)
    assert m_test == int(np.ceil(0.2 * m))
    for array in (data.X_train, data.Y_train, data.X_test, data.Y_test, data.mean, data.std):
        assert array.dtype == np.float64
        assert np.isfinite(array).all()
    assert data.mean.shape == data.std.shape == (n_features, 1)
    assert len(data.feature_names) == n_features
    assert len(data.target_names) == n_outputs


def test_labels_are_zero_one_and_one_hot_columns_sum_to_one(loaded):
    _, data, _ = loaded
    for Y in (data.Y_train, data.Y_test):
        assert set(np.unique(Y)) == {0.0, 1.0}
        if Y.shape[0] > 1:
            np.testing.assert_array_equal(Y.sum(axis=0), 1.0)


def test_standardised_with_training_statistics_only(loaded):
    _, data, raw = loaded
    constant = data.X_train.std(axis=1) == 0
    varying = ~constant
    np.testing.assert_array_equal(data.std[constant], 1.0)
    np.testing.assert_allclose(data.X_train.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(data.X_train[varying].std(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(data.X_train[constant], 0.0)
    # Undo the standardisation: the training columns are raw examples, and the stored
    # mean is their mean, not the mean of the whole data set.
    raw_train = data.X_train * data.std + data.mean
    raw_test = data.X_test * data.std + data.mean
    np.testing.assert_allclose(data.mean[:, 0], raw_train.mean(axis=1), rtol=1e-12, atol=1e-12)
    assert not np.allclose(data.mean[:, 0], raw.data.mean(axis=0), rtol=1e-6)
    # The test set is not centred: its statistics were not used.
    assert np.abs(data.X_test.mean(axis=1)).max() > 1e-3
    # Together the two parts are exactly the raw data, each example once.
    # (Rounded to 6 decimals, which the raw values never use, so sorting is exact.)
    together = np.round(np.hstack([raw_train, raw_test]).T, 6)
    expected = np.round(raw.data, 6)
    np.testing.assert_array_equal(together[np.lexsort(together.T)],
                                  expected[np.lexsort(expected.T)])


def test_split_is_stratified(loaded):
    _, data, _ = loaded
    share_train = data.Y_train.mean(axis=1)
    share_test = data.Y_test.mean(axis=1)
    np.testing.assert_allclose(share_test, share_train, atol=1.5 / data.Y_test.shape[1])


@pytest.mark.parametrize("name", list(LOADERS))
def test_same_seed_same_split_other_seed_other_split(name):
    load = LOADERS[name][0]
    a, b, c = load(seed=3), load(seed=3), load(seed=4)
    for field in ("X_train", "Y_train", "X_test", "Y_test", "mean", "std"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.X_test, c.X_test)


def test_test_size_sets_the_split():
    data = datasets.load_breast_cancer(test_size=0.5)
    assert data.X_test.shape[1] in (284, 285)
    assert data.X_train.shape[1] + data.X_test.shape[1] == 569


# ---------------------------------------------------------------- validation split

def test_validation_split_sizes_and_class_counts_by_hand():
    # 569 tumours, 212 malignant (0) and 357 benign (1). Test and validation each get
    # ceil(0.2 · 569) = 114: 0.2 · 212 = 42.4 and 0.2 · 357 = 71.4 round down to 42 + 71,
    # and the one left over goes to the first of the equal remainders, class 0: 43 + 71.
    data = datasets.load_breast_cancer(validation_size=0.2)
    assert data.Y_test.shape == data.Y_val.shape == (1, 114)
    assert data.Y_train.shape == (1, 569 - 2 * 114)
    assert (data.Y_val.sum(), data.Y_test.sum(), data.Y_train.sum()) == (71, 71, 357 - 142)
    assert data.X_val.shape == (30, 114)


@pytest.mark.parametrize("name", list(LOADERS))
def test_validation_comes_out_of_the_training_part_and_leaves_the_test_set_alone(name):
    load = LOADERS[name][0]
    plain, split = load(seed=2), load(seed=2, validation_size=0.25)
    np.testing.assert_array_equal(split.Y_test, plain.Y_test)
    # Raw examples (standardisation undone): train ∪ validation of the split is exactly
    # the training part of the plain load, each example once.

    def raw(d, X):
        return np.round((X * d.std + d.mean).T, 6)

    together = np.vstack([raw(split, split.X_train), raw(split, split.X_val)])
    expected = raw(plain, plain.X_train)
    np.testing.assert_array_equal(together[np.lexsort(together.T)],
                                  expected[np.lexsort(expected.T)])
    np.testing.assert_array_equal(raw(split, split.X_test), raw(plain, plain.X_test))
    assert split.X_val.shape[1] == int(np.ceil(0.25 * (plain.X_train.shape[1]
                                                         + plain.X_test.shape[1])))


def test_validation_set_is_standardised_with_training_statistics_and_stratified():
    data = datasets.load_digits_binary(validation_size=0.2)
    varying = data.X_train.std(axis=1) > 0
    np.testing.assert_allclose(data.X_train.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(data.X_train[varying].std(axis=1), 1.0, rtol=1e-12)
    assert np.abs(data.X_val.mean(axis=1)).max() > 1e-3      # its own statistics unused
    np.testing.assert_allclose(data.Y_val.mean(), data.Y_train.mean(),
                               atol=1.5 / data.Y_val.shape[1])


def test_no_validation_set_by_default_and_same_seed_same_validation_set():
    data = datasets.load_breast_cancer()
    assert data.X_val.shape == (30, 0) and data.Y_val.shape == (1, 0)
    a, b = (datasets.load_digits_multiclass(seed=5, validation_size=0.1) for _ in range(2))
    np.testing.assert_array_equal(a.X_val, b.X_val)
    np.testing.assert_array_equal(a.Y_val.sum(axis=1), 18.0)   # 180 = 10 classes × 18


@pytest.mark.parametrize("validation_size", [-0.1, 0.8, 0.9, "0.1", None])
def test_bad_validation_size(validation_size):
    with pytest.raises(ValueError, match=r"validation_size .* \[0, 0\.8\)"):
        datasets.load_breast_cancer(test_size=0.2, validation_size=validation_size)


def test_breast_cancer_positive_class_is_benign():
    data = datasets.load_breast_cancer()
    assert data.target_names == ("benign",)
    assert data.Y_train.sum() + data.Y_test.sum() == 357
    assert data.feature_names[0] == "mean radius"


def test_digits_have_constant_pixels_which_become_zero_not_nan():
    data = datasets.load_digits_binary()
    # Pixel (0, 0) is blank in every image.
    assert data.feature_names[0] == "pixel_0_0"
    assert data.std[0, 0] == 1.0
    np.testing.assert_array_equal(data.X_train[0], 0.0)
    np.testing.assert_array_equal(data.X_test[0], 0.0)


def test_digits_binary_default_is_even_digits():
    target = sk.load_digits().target
    data = datasets.load_digits_binary()
    n_even = int(np.isin(target, [0, 2, 4, 6, 8]).sum())
    assert data.Y_train.sum() + data.Y_test.sum() == n_even
    assert data.target_names == ("digit in {0, 2, 4, 6, 8}",)


def test_even_digits_need_a_hidden_layer():
    # The claim of load_digits_binary's docstring, on the default split.
    data = datasets.load_digits_binary()
    scores = []
    for dims in ([64, 1], [64, 32, 1]):
        params, _ = train(data.X_train, data.Y_train, dims, epochs=20, learning_rate=0.1,
                          hidden_activation="relu", init="he", batch_size=32, seed=0,
                          progress=False)
        scores.append(accuracy(predict(data.X_test, params, "relu"), data.Y_test))
    # Measured over split seeds 0–5: 0.90–0.94 without, 0.97–0.99 with the hidden layer.
    assert scores[0] < 0.95 < scores[1]
    assert scores[1] - scores[0] > 0.03


@pytest.mark.parametrize(("positive", "digits"), [(0, [0]), ([7, 1], [1, 7]),
                                                   (range(9), list(range(9)))])
def test_digits_binary_positive_digits(positive, digits):
    target = sk.load_digits().target
    data = datasets.load_digits_binary(positive=positive)
    assert data.Y_train.sum() + data.Y_test.sum() == int(np.isin(target, digits).sum())


def test_digits_multiclass_every_class_in_both_parts():
    data = datasets.load_digits_multiclass()
    assert (data.Y_train.sum(axis=1) > 100).all()
    assert (data.Y_test.sum(axis=1) > 30).all()
    assert data.target_names == tuple("0123456789")


def test_repr_shows_shapes_not_numbers():
    text = repr(datasets.load_breast_cancer())
    assert "X_train (30, 455)" in text and "Y_test (1, 114)" in text
    assert len(text) < 200


@pytest.mark.parametrize("test_size", [0, 1, 1.5, -0.2, "0.2", None])
def test_bad_test_size(test_size):
    with pytest.raises(ValueError, match=r"test_size .* between 0 and 1"):
        datasets.load_breast_cancer(test_size=test_size)


@pytest.mark.parametrize("positive", [10, -1, [], range(10), [3, "4"], 2.0])
def test_bad_positive_digits(positive):
    with pytest.raises(ValueError, match=r"positive"):
        datasets.load_digits_binary(positive=positive)


def test_standardize_by_hand():
    X_train = np.array([[1.0, 3.0], [5.0, 5.0]])
    X_test = np.array([[2.0], [7.0]])
    train, test, mean, std = datasets.standardize(X_train, X_test)
    np.testing.assert_array_equal(mean, [[2.0], [5.0]])
    np.testing.assert_array_equal(std, [[1.0], [1.0]])      # constant row: 0 replaced by 1
    np.testing.assert_array_equal(train, [[-1.0, 1.0], [0.0, 0.0]])
    np.testing.assert_array_equal(test, [[0.0], [2.0]])


def test_importing_the_module_does_not_load_sklearn():
    # sklearn is imported on first use, so `import dnn_ref` stays fast.
    code = "import sys, dnn_ref.datasets; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_the_toy_problems_are_importable_from_datasets():
    assert datasets.make_moons is toy_problems.make_moons
    assert datasets.make_circles is toy_problems.make_circles
    assert datasets.make_xor is toy_problems.make_xor
