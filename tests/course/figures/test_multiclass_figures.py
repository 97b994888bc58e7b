"""Tests of dnn_ref.figures.multiclass: the confusion matrix and the misclassified digits."""


import numpy as np
import pytest

from dnn_ref.datasets import load_digits_multiclass
from dnn_ref.figures.multiclass import plot_confusion_matrix, plot_misclassified
from dnn_ref.multiclass import one_hot


def test_confusion_matrix_shows_every_non_zero_count_in_its_cell():
    Y = one_hot([0, 0, 1, 2, 2, 2], 3)
    Y_pred = one_hot([0, 1, 1, 2, 2, 0], 3)
    ax = plot_confusion_matrix(Y, Y_pred, ["a", "b", "c"])
    cells = {(t.get_position(), t.get_text()) for t in ax.texts}
    assert cells == {((0, 0), "1"), ((1, 0), "1"), ((1, 1), "1"), ((2, 2), "2"), ((0, 2), "1")}
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert ax.get_title() == "4 of 6 right"
    with pytest.raises(ValueError, match="2 names for 3 classes"):
        plot_confusion_matrix(Y, Y_pred, ["a", "b"])


def test_misclassified_digits_are_drawn_most_confident_first():
    data = load_digits_multiclass()
    X, Y = data.X_test[:, :20], data.Y_test[:, :20]
    classes = Y.argmax(axis=0)
    AL = np.full((10, 20), 0.01)
    AL[classes, np.arange(20)] = 0.91                  # right …
    AL[:, [3, 7]] = 0.01
    AL[(classes[3] + 1) % 10, 3] = 0.6                 # … except two, with p 0.6 and 0.9
    AL[(classes[7] + 2) % 10, 7] = 0.9
    fig = plot_misclassified(X, Y, AL, mean=data.mean, std=data.std, columns=4)
    drawn = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in drawn] == [
        f"{classes[7]} → {(classes[7] + 2) % 10}\np = 0.90",
        f"{classes[3]} → {(classes[3] + 1) % 10}\np = 0.60"]
    pixels = drawn[0].images[0].get_array()
    assert pixels.shape == (8, 8)
    raw = (X[:, 7] * data.std.ravel() + data.mean.ravel()).reshape(8, 8)
    np.testing.assert_allclose(pixels, raw)            # the original 0–16 pixel values


def test_misclassified_says_so_when_nothing_is_wrong_and_checks_shapes():
    Y = one_hot([0, 1], 2)
    fig = plot_misclassified(np.zeros((4, 2)), Y, Y, image_shape=(2, 2))
    assert "no example is misclassified" in fig.axes[0].texts[0].get_text()
    with pytest.raises(ValueError, match=r"X has 4 rows but image_shape \(8, 8\) needs 64"):
        plot_misclassified(np.zeros((4, 2)), Y, Y)
