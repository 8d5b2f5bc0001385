"""The overfitting diagnostics against worked examples: the deflated Sharpe ratio's numerical
example of Bailey and Lopez de Prado (2014), and a PBO computed by hand on a small matrix."""

from __future__ import annotations

import math

import numpy as np
import pytest

from apps.optimisation.diagnostics import (
    chance_sentence,
    deflated_sharpe,
    expected_max_sharpe,
    probabilistic_sharpe,
    probability_of_overfitting,
)


def test_expected_max_sharpe_matches_the_papers_example():
    """Bailey & Lopez de Prado (2014), section 4: N = 100 trials whose annualised Sharpes vary
    by V = 0.5; daily observations, 250 a year. Step by step:
    Z^-1(1 - 1/100) = 2.3263, Z^-1(1 - 1/(100 e)) = 2.6824,
    SR0 = sqrt(0.5) (0.4228 x 2.3263 + 0.5772 x 2.6824) = 1.7907 annualised,
    = 0.1133 per day (/ sqrt(250)); the paper rounds it to 0.1132."""
    daily_variance = 0.5 / 250
    sr0 = expected_max_sharpe(trials=100, sharpe_variance=daily_variance)
    assert sr0 == pytest.approx(1.7907 / math.sqrt(250), abs=2e-4)


def test_deflated_sharpe_matches_the_papers_example():
    """Same example: the best trial's Sharpe is 2.5 annualised (0.1581 a day) over T = 1250
    days, skewness -3, kurtosis 10. DSR = Z((0.1581 - 0.1132) sqrt(1249) / sqrt(1 + 3 x 0.1581
    + 9/4 x 0.1581^2)) = Z(1.2834) ~ 0.90 (0.9004 in the paper)."""
    sr = 2.5 / math.sqrt(250)
    sr0 = expected_max_sharpe(trials=100, sharpe_variance=0.5 / 250)
    by_hand = probabilistic_sharpe(
        sharpe=sr, benchmark=sr0, observations=1250, skewness=-3, kurtosis=10
    )
    assert by_hand == pytest.approx(0.9004, abs=1.5e-3)
    # The same through deflated_sharpe, from 100 trial Sharpes whose variance is 0.5 / 250.
    rng = np.random.default_rng(1)
    draws = rng.standard_normal(100)
    trials = (draws - draws.mean()) / draws.std(ddof=1) * math.sqrt(0.5 / 250)
    result = deflated_sharpe(
        sharpe=sr, trial_sharpes=trials, observations=1250, skewness=-3, kurtosis=10
    )
    assert result.trials == 100
    assert result.sharpe_variance == pytest.approx(0.5 / 250)
    assert result.deflated_sharpe == pytest.approx(by_hand)


def test_more_trials_deflate_the_same_sharpe_more():
    common = {"sharpe": 0.1, "observations": 1000, "skewness": 0.0, "kurtosis": 3.0}
    few = deflated_sharpe(trial_sharpes=np.linspace(-0.05, 0.05, 10), **common)
    many = deflated_sharpe(trial_sharpes=np.linspace(-0.05, 0.05, 1000), **common)
    assert many.expected_max_sharpe > few.expected_max_sharpe
    assert many.deflated_sharpe < few.deflated_sharpe


def test_pbo_of_a_small_matrix_computed_by_hand():
    """T = 4 blocks of 2 rows, N = 3 configurations. Block Sharpes are mean / std of the rows
    chosen. Column 0 is good in blocks 0-1 (rows .03, .01: Sharpe .02 / .0115 = 1.73) and bad
    in 2-3 (-1.73); column 1 the opposite; column 2 noisy, slightly positive everywhere (rows
    .01, -.005: Sharpe .0025 / .0087 = 0.29). With S = 4 there are C(4, 2) = 6 splits:
    IS {0,1}: best col 0 (1.73); OOS {2,3}: col 0 is worst (-1.73) -> rank 1, w = 1/4,
    lambda = log(1/3) < 0.
    IS {2,3}: best col 1; OOS {0,1}: col 1 worst -> lambda = log(1/3).
    IS {0,2}, {0,3}, {1,2}, {1,3}: one good and one bad block each: cols 0 and 1 have mean 0
    (Sharpe 0), col 2 is best (0.29); out-of-sample the same: rank 3, w = 3/4, lambda = log 3.
    PBO = 2 / 6."""
    good = [0.03, 0.01]
    bad = [-0.03, -0.01]
    steady = [0.01, -0.005]
    col0 = good + good + bad + bad
    col1 = bad + bad + good + good
    col2 = steady * 4
    matrix = np.column_stack([col0, col1, col2])
    result = probability_of_overfitting(matrix, blocks=4)
    assert result.splits == 6
    lambdas = np.array(result.logits)
    assert (lambdas <= 0).sum() == 2
    assert sorted(np.round(lambdas, 6)) == sorted(
        np.round([math.log(1 / 3)] * 2 + [math.log(3)] * 4, 6)
    )
    assert result.pbo == pytest.approx(2 / 6)


def test_pbo_near_one_half_for_pure_noise():
    rng = np.random.default_rng(7)
    result = probability_of_overfitting(rng.standard_normal((400, 50)), blocks=10)
    assert 0.2 < result.pbo < 0.8


def test_chance_sentence():
    assert chance_sentence(trials=400, annual_sharpe=1.9, dsr=0.69) == (
        "With 400 trials, a Sharpe of 1.90 in-sample is what chance alone would give 31% of "
        "the time."
    )
    assert chance_sentence(trials=3, annual_sharpe=-1.5, dsr=0.0) == (
        "With 3 trials, the best Sharpe in-sample (-1.50) is not above zero: there is no edge "
        "for chance to explain."
    )
