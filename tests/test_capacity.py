"""capacity.fit_regime: a fit read from its training and validation errors against the noise floor."""

from __future__ import annotations

import pytest

from course_utils import capacity


def test_fit_regime_reads_the_errors_against_the_noise_floor() -> None:
    assert capacity.fit_regime(0.5, 0.6, 0.1)[0] == "underfitting"  # cannot follow the data
    assert capacity.fit_regime(0.01, 0.5, 0.1)[0] == "overfitting"  # follows the noise
    regime, advice = capacity.fit_regime(0.09, 0.12, 0.1)
    assert regime == "a good fit" and "noise floor" in advice
    with pytest.raises(ValueError, match="noise_var"):
        capacity.fit_regime(0.1, 0.1, 0.0)
    with pytest.raises(ValueError, match="train_mse"):
        capacity.fit_regime("0.1", 0.1, 0.1)
