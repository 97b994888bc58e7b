"""Every figure test draws without a window, closes its figures and treats warnings as errors."""

import warnings

import matplotlib
import matplotlib.pyplot as plt
import pytest

matplotlib.use("Agg")       # no window, whatever the machine's default backend


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
