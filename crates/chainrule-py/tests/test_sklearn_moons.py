"""chainrule.data.moons(generator="sklearn") against scikit-learn's make_moons itself:
the same points and labels, bit for bit, for micrograd's demo and other sizes, noises and
seeds (NumPy's legacy Mersenne Twister, its shuffle and its Gaussian, made in Rust)."""

import numpy as np
import pytest
from sklearn.datasets import make_moons

from chainrule import data


def sklearn(n, noise, seed):
    """What micrograd's demo does: seed NumPy's global generator, then make_moons."""
    np.random.seed(seed)
    return make_moons(n_samples=n, noise=noise)


@pytest.mark.parametrize(
    "n, noise, seed",
    [(100, 0.1, 1337), (7, 0.3, 7), (1, 0.1, 0), (2, 0.0, 5), (1001, 0.25, 2**32 - 1)],
)
def test_sklearn_moons_are_make_moons_bit_for_bit(n, noise, seed):
    X, y = data.moons(n, noise=noise, seed=seed, generator="sklearn", labels="classes")
    want_X, want_y = sklearn(n, noise, seed)
    assert X.dtype == want_X.dtype and X.shape == want_X.shape
    assert X.tobytes() == want_X.tobytes()  # every bit, signs of zeros included
    assert y.tolist() == want_y.tolist()


def test_micrograd_demo_data_as_signs():
    X, y = data.moons(100, noise=0.1, seed=1337, generator="sklearn")
    want_X, want_y = sklearn(100, 0.1, 1337)
    assert np.array_equal(X, want_X)
    assert y.tolist() == (want_y * 2 - 1).tolist()


def test_bad_generator_or_seed_says_what_is_allowed():
    with pytest.raises(ValueError, match="'chainrule' or 'sklearn'"):
        data.moons(10, generator="numpy")
    with pytest.raises(ValueError, match=r"0 to 2\*\*32 - 1"):
        data.moons(10, seed=2**32, generator="sklearn")
