"""Overfitting diagnostics of a study (docs/optimisation.md has the formulas). Pure NumPy.

- Deflated Sharpe ratio (Bailey and Lopez de Prado, 2014): the probability that the best
  trial's true Sharpe ratio is above zero once the Sharpe the best of N unskilled trials would
  reach by chance (given the variance of the trials' Sharpes), the track record's length and
  its returns' skewness and kurtosis are accounted for.
- Probability of backtest overfitting by combinatorially symmetric cross-validation (Bailey,
  Borwein, Lopez de Prado and Zhu, 2015): how often the configuration that is best in-sample
  ranks below the median out-of-sample, over every split of the time blocks in halves.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

EULER_GAMMA = 0.5772156649015329
_NORMAL = NormalDist()


def expected_max_sharpe(*, trials: int, sharpe_variance: float) -> float:
    """SR0 = sqrt(V) * ((1 - g) * Z^-1(1 - 1/N) + g * Z^-1(1 - 1/(N e))), g: Euler-Mascheroni:
    the expected maximum Sharpe of N independent unskilled trials whose Sharpes vary by V."""
    if trials < 2 or sharpe_variance <= 0:
        return 0.0
    first = _NORMAL.inv_cdf(1 - 1 / trials)
    second = _NORMAL.inv_cdf(1 - 1 / (trials * math.e))
    return math.sqrt(sharpe_variance) * ((1 - EULER_GAMMA) * first + EULER_GAMMA * second)


def probabilistic_sharpe(
    *, sharpe: float, benchmark: float, observations: int, skewness: float, kurtosis: float
) -> float:
    """PSR = Z((SR - SR*) sqrt(T - 1) / sqrt(1 - g3 SR + (g4 - 1) / 4 SR^2)), Sharpes per
    observation (not annualised), g4 the (non-excess) kurtosis: 3 for normal returns."""
    denominator = 1 - skewness * sharpe + (kurtosis - 1) / 4 * sharpe**2
    if observations < 2 or denominator <= 0:
        return float("nan")
    z = (sharpe - benchmark) * math.sqrt(observations - 1) / math.sqrt(denominator)
    return _NORMAL.cdf(z)


@dataclass(frozen=True)
class DeflatedSharpe:
    trials: int
    sharpe: float  # the best trial's, per observation
    sharpe_variance: float  # across trials, per observation
    expected_max_sharpe: float  # SR0, per observation
    deflated_sharpe: float  # DSR: probability the true Sharpe is above zero


def deflated_sharpe(
    *,
    sharpe: float,
    trial_sharpes: np.ndarray,
    observations: int,
    skewness: float,
    kurtosis: float,
) -> DeflatedSharpe:
    """The DSR of the best trial (its Sharpe, per observation) among `trial_sharpes` (every
    trial's, per observation: their number is N and their sample variance V)."""
    sharpes = np.asarray(trial_sharpes, dtype=float)
    sharpes = sharpes[np.isfinite(sharpes)]
    variance = float(sharpes.var(ddof=1)) if len(sharpes) > 1 else 0.0
    benchmark = expected_max_sharpe(trials=len(sharpes), sharpe_variance=variance)
    value = probabilistic_sharpe(
        sharpe=sharpe,
        benchmark=benchmark,
        observations=observations,
        skewness=skewness,
        kurtosis=kurtosis,
    )
    return DeflatedSharpe(len(sharpes), sharpe, variance, benchmark, value)


@dataclass(frozen=True)
class Pbo:
    pbo: float  # fraction of splits whose in-sample best ranks at or below the OOS median
    splits: int
    logits: list[float]  # lambda of each split: log(w / (1 - w)), w its relative OOS rank


def block_sharpe(returns: np.ndarray) -> np.ndarray:
    """Mean / sample standard deviation of each column (the CSCV performance measure); a flat
    column (no variation) scores 0."""
    std = returns.std(axis=0, ddof=1)
    mean = returns.mean(axis=0)
    return np.divide(mean, std, out=np.zeros_like(mean), where=std > 0)


def probability_of_overfitting(returns: np.ndarray, *, blocks: int = 10) -> Pbo:
    """PBO by CSCV of a T x N matrix (T observations, N configurations). The rows are cut into
    `blocks` (even) contiguous blocks; for each choice of half of them as in-sample (the rest
    out-of-sample) the in-sample best column n* is found, w = its rank out-of-sample / (N + 1)
    and lambda = log(w / (1 - w)); PBO is the share of splits with lambda <= 0."""
    rows, columns = returns.shape
    if blocks % 2 or blocks < 2:
        raise ValueError("blocks must be even")
    if columns < 2 or rows < blocks * 2:
        raise ValueError("needs two configurations and two observations per block")
    parts = np.array_split(np.arange(rows), blocks)
    logits = []
    for chosen in itertools.combinations(range(blocks), blocks // 2):
        inside = np.concatenate([parts[b] for b in chosen])
        outside = np.concatenate([parts[b] for b in range(blocks) if b not in chosen])
        best = int(np.argmax(block_sharpe(returns[inside])))
        oos = block_sharpe(returns[outside])
        # Rank 1 = worst; ties share the lowest rank (a conservative choice).
        rank = int((oos < oos[best]).sum()) + 1
        relative = rank / (columns + 1)
        logits.append(math.log(relative / (1 - relative)))
    values = np.array(logits)
    return Pbo(float((values <= 0).mean()), len(values), values.tolist())


def chance_sentence(*, trials: int, annual_sharpe: float, dsr: float) -> str:
    """What the DSR means for the user, in one sentence."""
    if annual_sharpe <= 0:
        return (
            f"With {trials} trials, the best Sharpe in-sample ({annual_sharpe:.2f}) is not above "
            "zero: there is no edge for chance to explain."
        )
    chance = max(0.0, min(1.0, 1 - dsr))
    return (
        f"With {trials} trials, a Sharpe of {annual_sharpe:.2f} in-sample is what chance alone "
        f"would give {chance:.0%} of the time."
    )
