"""Tests for qiappraise.raters.interrater and qiappraise.raters.fdist.

Three kinds of evidence: agreement with independent implementations
(scikit-learn, statsmodels, scipy; test-only dependencies) on generated and
fixed data; published worked examples, with their source beside each; and the
edge cases where a naive formula divides by zero.
"""

from __future__ import annotations

import itertools
import math
import random
import subprocess
import sys
import warnings
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from qiappraise.raters.fdist import f_cdf, f_ppf, f_sf, regularized_beta
from qiappraise.raters.interrater import (
    ICC_MIN_RATERS,
    ICC_MIN_TARGETS,
    ONE_CATEGORY,
    FleissTable,
    IccResult,
    IccSums,
    KappaResult,
    PairTable,
    RatingError,
    cohen_kappa,
    fleiss_kappa,
    icc_2_1,
    icc_caution,
    kappa_caution,
    kappa_min_units,
    weighted_kappa,
)

# Generated data hits scipy's and statsmodels' slow first calls; no test may
# depend on timing, so hypothesis's per-example deadline is off.
PROPERTY = settings(deadline=None, max_examples=150)

Pair = tuple[int | None, int | None]


def expand(table: Sequence[Sequence[int]]) -> list[tuple[int, int]]:
    """Pairs from a two-rater contingency table (rows: rater 1's category)."""
    return [
        (i, j) for i, row in enumerate(table) for j, count in enumerate(row) for _ in range(count)
    ]


def units_from_counts(table: Sequence[Sequence[int]]) -> list[list[int]]:
    """Units' ratings from a subjects x categories table of counts."""
    return [[category for category, count in enumerate(row) for _ in range(count)] for row in table]


def assert_never_nan(result: KappaResult | IccResult) -> None:
    for name in ("value", "ci_low", "ci_high", "observed", "expected", "percent_agreement"):
        number = getattr(result, name, None)
        assert number is None or math.isfinite(number), (name, result)
    assert (result.value is None) == (result.reason is not None), result


# --- The F distribution ---------------------------------------------------------------------

# Fractional df on purpose: the ICC(2,1) interval's denominator df is fractional.
# Tolerances sit about ten times above the worst error seen on this grid
# (2e-12 for quantiles, 6e-12 for the tails).
DFS = [0.3, 0.5, 1, 1.7, 2, 3, 4.5, 5, 7.3, 10, 15, 41.6, 100, 1000, 1e5]
PROBABILITIES = [1e-6, 0.001, 0.025, 0.3, 0.5, 0.7, 0.975, 0.999, 1 - 1e-6]


@pytest.mark.parametrize(("d1", "d2"), list(itertools.product(DFS, DFS)))
def test_f_quantiles_match_scipy(d1: float, d2: float) -> None:
    for p in PROBABILITIES:
        assert f_ppf(p, d1, d2) == pytest.approx(stats.f.ppf(p, d1, d2), rel=2e-11)


@pytest.mark.parametrize(("d1", "d2"), list(itertools.product(DFS, DFS)))
def test_f_cdf_and_sf_match_scipy(d1: float, d2: float) -> None:
    for f in [1e-4, 0.2, 0.9, 1.0, 1.1, 2.5, 8.0, 60.0, 1e4]:
        assert f_cdf(f, d1, d2) == pytest.approx(stats.f.cdf(f, d1, d2), rel=6e-11, abs=1e-300)
        # The survival function is computed directly, so tiny upper tails keep
        # their relative precision rather than being 1 - (a number near 1).
        assert f_sf(f, d1, d2) == pytest.approx(stats.f.sf(f, d1, d2), rel=6e-11, abs=1e-300)


@PROPERTY
@given(
    # Not subnormal x: there scipy, not this module, loses digits (at x = 5e-324,
    # a = 10**-1.5, b = 10 mpmath agrees with us to 15 digits, scipy to 3).
    x=st.floats(0.0, 1.0, allow_subnormal=False),
    log_a=st.floats(-1.5, 5.0),
    log_b=st.floats(-1.5, 5.0),
)
def test_regularized_beta_matches_scipy(x: float, log_a: float, log_b: float) -> None:
    a, b = 10.0**log_a, 10.0**log_b
    expected = float(special.betainc(a, b, x))
    assert regularized_beta(x, a, b) == pytest.approx(expected, rel=1e-9, abs=1e-15)


@PROPERTY
@given(
    p=st.floats(1e-9, 1 - 1e-9),
    d1=st.floats(0.5, 2000.0),
    d2=st.floats(0.5, 2000.0),
)
def test_f_quantile_inverts_the_cdf(p: float, d1: float, d2: float) -> None:
    f = f_ppf(p, d1, d2)
    assert f == pytest.approx(stats.f.ppf(p, d1, d2), rel=1e-9)
    # Inverting the upper tail above the median keeps its precision there.
    if p > 0.5:
        assert f_sf(f, d1, d2) == pytest.approx(1 - p, rel=1e-9)
    else:
        assert f_cdf(f, d1, d2) == pytest.approx(p, rel=1e-9)


def test_f_functions_reject_impossible_arguments() -> None:
    for bad in [(0.5, 0.0, 3.0), (0.5, 3.0, -1.0), (0.5, math.nan, 3.0), (0.5, math.inf, 3.0)]:
        with pytest.raises(ValueError, match="degrees of freedom"):
            f_ppf(*bad)
    for p in [0.0, 1.0, -0.1, math.nan]:
        with pytest.raises(ValueError, match="strictly between 0 and 1"):
            f_ppf(p, 2.0, 3.0)
    with pytest.raises(ValueError, match="between 0 and 1"):
        regularized_beta(1.5, 2.0, 3.0)
    assert f_cdf(0.0, 2.0, 3.0) == 0.0
    assert f_sf(math.inf, 2.0, 3.0) == 0.0


# --- Cohen's kappa --------------------------------------------------------------------------

ratings_or_missing = st.one_of(st.none(), st.integers(0, 4))
pair_lists = st.lists(st.tuples(ratings_or_missing, ratings_or_missing), max_size=60)


def sklearn_kappa(pairs: list[Pair], weights: str | None) -> float | None:
    """scikit-learn's kappa on the complete pairs; None where it gives nan (undefined)."""
    kept = [(a, b) for a, b in pairs if a is not None and b is not None]
    if not kept:
        return None
    first, second = zip(*kept, strict=True)
    with warnings.catch_warnings():
        # scikit-learn warns and returns nan when every rating is in one category.
        warnings.simplefilter("ignore")
        value = cohen_kappa_score(first, second, labels=[0, 1, 2, 3, 4], weights=weights)
    return None if math.isnan(value) else float(value)


@PROPERTY
@given(pairs=pair_lists)
def test_cohen_kappa_matches_sklearn(pairs: list[Pair]) -> None:
    result = cohen_kappa(pairs)
    assert_never_nan(result)
    expected = sklearn_kappa(pairs, None)
    if expected is None:
        assert result.value is None
    else:
        assert result.value == pytest.approx(expected, rel=1e-12, abs=1e-12)
    complete = [(a, b) for a, b in pairs if a is not None and b is not None]
    assert result.n == len(complete)
    assert result.dropped == len(pairs) - len(complete)
    if complete:
        agree = sum(a == b for a, b in complete)
        assert result.percent_agreement == pytest.approx(100 * agree / len(complete))


@PROPERTY
@given(pairs=pair_lists)
def test_quadratic_weighted_kappa_matches_sklearn(pairs: list[Pair]) -> None:
    result = weighted_kappa(pairs, order=[0, 1, 2, 3, 4])
    assert_never_nan(result)
    expected = sklearn_kappa(pairs, "quadratic")
    if expected is None:
        assert result.value is None
    else:
        assert result.value == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_cohen_kappa_textbook_example() -> None:
    # 50 grant proposals, two readers: 20 yes/yes, 5 yes/no, 10 no/yes,
    # 15 no/no; p_o = 0.70, p_e = 0.50, kappa = 0.40 (the worked example of
    # Wikipedia's "Cohen's kappa" article, reproduced in tutorials such as
    # howcodex.com/statistics/cohen_kappa_coefficient.htm).
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    result = cohen_kappa(pairs)
    assert result.value == pytest.approx(0.40)
    assert result.observed == pytest.approx(0.70)
    assert result.expected == pytest.approx(0.50)
    assert result.percent_agreement == pytest.approx(70.0)
    assert (result.n, result.raters, result.categories, result.dropped) == (50, 2, 2, 0)


def test_cohen_kappa_sas_example() -> None:
    # SAS PROC FREQ's simple kappa for this 3x3 table is 0.4842 (the printout
    # statsmodels' test_inter_rater.py checks its cohens_kappa against).
    assert cohen_kappa(expand([[0, 4, 1], [0, 8, 0], [0, 1, 5]])).value == pytest.approx(
        0.4842, abs=5e-5
    )


# R irr's `anxiety` data (Gamer et al.), raters 2 and 3; irr::kappa2 gives
# -0.006289308 unweighted and 0.2520325 with "squared" weights over the levels
# present (1, 2, 3, 4, 6), as recorded in statsmodels' test_inter_rater.py.
ANXIETY_2 = [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4]
ANXIETY_3 = [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2]


def test_kappa_against_r_irr() -> None:
    pairs = list(zip(ANXIETY_2, ANXIETY_3, strict=True))
    assert cohen_kappa(pairs).value == pytest.approx(-0.006289308, abs=1e-9)
    assert weighted_kappa(pairs, [1, 2, 3, 4, 6]).value == pytest.approx(0.2520325, abs=1e-7)


def test_weighted_kappa_uses_the_given_order() -> None:
    # Categories are strings: only their order matters, not their names.
    pairs = [("low", "mid"), ("mid", "mid"), ("high", "high"), ("low", "low"), ("mid", "high")]
    order = ["low", "mid", "high"]
    codes = {name: index for index, name in enumerate(order)}
    coded = [(codes[a], codes[b]) for a, b in pairs]
    expected = cohen_kappa_score(*zip(*coded, strict=True), weights="quadratic")
    assert weighted_kappa(pairs, order).value == pytest.approx(expected)
    # A different order is a different scale, and a different answer.
    assert weighted_kappa(pairs, ["mid", "low", "high"]).value != pytest.approx(expected)


def test_weighted_kappa_rejects_ratings_outside_the_order() -> None:
    with pytest.raises(
        RatingError, match=r"rating 7 is not one of the ordered categories \[1, 2, 3\]"
    ):
        weighted_kappa([(1, 2), (7, 3)], [1, 2, 3])
    with pytest.raises(RatingError, match="appears twice"):
        weighted_kappa([(1, 2)], [1, 2, 2])
    with pytest.raises(RatingError, match="cannot include None"):
        weighted_kappa([(1, 2)], [1, None, 2])


def test_cohen_perfect_agreement_is_one() -> None:
    pairs = [(1, 1), (2, 2), (3, 3), (2, 2)]
    assert cohen_kappa(pairs).value == 1.0
    assert weighted_kappa(pairs, [1, 2, 3]).value == 1.0


def test_cohen_one_category_is_undefined_not_nan() -> None:
    # scikit-learn and statsmodels give nan here; we give None and say why.
    for result in [cohen_kappa([("a", "a")] * 5), weighted_kappa([(2, 2)] * 5, [1, 2, 3])]:
        assert result.value is None
        assert result.reason == ONE_CATEGORY
        assert result.percent_agreement == 100.0
        assert result.n == 5


def test_cohen_missing_ratings_are_dropped_and_counted() -> None:
    pairs: list[tuple[str | None, str | None]] = [
        ("a", "a"),
        ("a", None),
        (None, "b"),
        (None, None),
        ("b", "b"),
        ("a", "b"),
    ]
    result = cohen_kappa(pairs)
    assert (result.n, result.dropped) == (3, 3)
    assert result.value == pytest.approx(cohen_kappa_score(["a", "b", "a"], ["a", "b", "b"]))


def test_cohen_empty_or_all_missing_is_undefined() -> None:
    for pairs in [[], [(None, 1), (2, None)]]:
        result = cohen_kappa(pairs)
        assert result.value is None
        assert result.reason == "no pair has both ratings"
        assert result.n == 0
        assert result.percent_agreement is None
    assert weighted_kappa([], [1, 2]).value is None


# --- Fleiss' kappa --------------------------------------------------------------------------


def statsmodels_fleiss(units: list[list[int]]) -> float | None:
    counts, _categories = aggregate_raters(np.array(units))
    with np.errstate(divide="ignore", invalid="ignore"):
        value = float(sm_fleiss_kappa(counts))
    return None if math.isnan(value) else value


@PROPERTY
@given(
    data=st.data(),
    raters=st.integers(2, 7),
    units=st.integers(1, 30),
    categories=st.integers(1, 5),
)
def test_fleiss_kappa_matches_statsmodels_on_complete_data(
    data: st.DataObject, raters: int, units: int, categories: int
) -> None:
    rating = st.integers(0, categories - 1)
    table = data.draw(
        st.lists(st.lists(rating, min_size=raters, max_size=raters), min_size=units, max_size=units)
    )
    result = fleiss_kappa(table)
    assert_never_nan(result)
    expected = statsmodels_fleiss(table)
    if expected is None:
        assert result.value is None
        assert result.reason == ONE_CATEGORY
    else:
        assert result.value == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert (result.n, result.raters, result.dropped) == (units, raters, 0)


def gwet_reference(units: list[list[int | None]]) -> tuple[float, float] | None:
    """Gwet's (2014) generalised Fleiss p_a and p_e, straight from the formulas, with numpy."""
    rated = [[r for r in unit if r is not None] for unit in units]
    rated = [unit for unit in rated if unit]
    if not rated:
        return None
    categories = sorted({r for unit in rated for r in unit})
    counts = np.array([[unit.count(c) for c in categories] for unit in rated], dtype=float)
    totals = counts.sum(axis=1)
    several = totals >= 2
    if not several.any():
        return None
    c, t = counts[several], totals[several]
    p_a = float(np.mean((c * (c - 1)).sum(axis=1) / (t * (t - 1))))
    pi = (counts / totals[:, None]).mean(axis=0)
    return p_a, float((pi**2).sum())


@PROPERTY
@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=3, max_size=3),
        max_size=30,
    )
)
def test_fleiss_kappa_with_missing_ratings_matches_gwet_formulas(
    units: list[list[int | None]],
) -> None:
    result = fleiss_kappa(units)
    assert_never_nan(result)
    reference = gwet_reference(units)
    if reference is None:
        assert result.value is None
        assert result.n == 0
        return
    p_a, p_e = reference
    assert result.observed == pytest.approx(p_a, rel=1e-12)
    assert result.expected == pytest.approx(p_e, rel=1e-12)
    if math.isclose(p_e, 1.0):
        assert result.value is None
    else:
        assert result.value == pytest.approx((p_a - p_e) / (1 - p_e), rel=1e-9, abs=1e-12)
    assert result.n == sum(sum(r is not None for r in unit) >= 2 for unit in units)
    assert result.dropped == len(units) - result.n


# Wikipedia's "Fleiss' kappa" worked example: 10 subjects, 14 raters,
# 5 categories, kappa = 0.210 (statsmodels' test_inter_rater.py holds the same
# table under the same value).
WIKIPEDIA_FLEISS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]

# Fleiss (1971, Psychol Bull 76:378-382): 30 patients, 6 psychiatrists each,
# 5 diagnoses; kappa = .430 (R irr::kappam.fleiss: 0.4302445).
FLEISS_1971 = [
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
]  # fmt: skip

# Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed., p. 120: 4 raters,
# 12 units, 5 categories, with missing ratings; Fleiss' generalised kappa has
# p_a = 0.818, p_e = 0.239, kappa = 0.761 (irrCAC's tests check the same).
GWET_4_RATERS: list[list[int | None]] = [
    [1, 1, None, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3],
    [2, 2, 2, 2], [1, 2, 3, 4], [4, 4, 4, 4], [1, 1, 2, 1],
    [2, 2, 2, 2], [None, 5, 5, 5], [None, None, 1, 1], [None, None, 3, None],
]  # fmt: skip


def test_fleiss_kappa_published_examples() -> None:
    wikipedia = fleiss_kappa(units_from_counts(WIKIPEDIA_FLEISS))
    assert round(wikipedia.value or 0.0, 3) == 0.210
    assert (wikipedia.n, wikipedia.raters, wikipedia.categories) == (10, 14, 5)

    assert fleiss_kappa(FLEISS_1971).value == pytest.approx(0.4302445, abs=1e-7)

    gwet = fleiss_kappa(GWET_4_RATERS)
    assert round(gwet.observed or 0.0, 3) == 0.818
    # 0.239 tells Gwet's chance term from the pooled-ratings one (0.240).
    assert round(gwet.expected or 0.0, 3) == 0.239
    assert round(gwet.value or 0.0, 3) == 0.761
    assert (gwet.n, gwet.dropped, gwet.raters) == (11, 1, 4)


def test_fleiss_edge_cases() -> None:
    perfect = fleiss_kappa([["a", "a", "a"], ["b", "b", "b"], ["c", "c", None]])
    assert perfect.value == 1.0
    assert perfect.percent_agreement == 100.0

    one = fleiss_kappa([[2, 2, 2], [2, 2, None]])
    assert one.value is None
    assert one.reason == ONE_CATEGORY

    # Fewer than two raters on every unit: agreement cannot be seen at all.
    lonely_cases: list[list[list[int | None]]] = [
        [],
        [[1, None, None], [None, 2, None]],
        [[None, None]],
    ]
    for units in lonely_cases:
        lonely = fleiss_kappa(units)
        assert lonely.value is None
        assert lonely.reason is not None and "two or more raters" in lonely.reason
        assert lonely.n == 0
        assert lonely.dropped == len(units)


# --- ICC(2,1) -------------------------------------------------------------------------------


def icc_reference(matrix: np.ndarray, confidence: float = 0.95) -> dict[str, float] | None:
    """ICC(2,1) from numpy's ANOVA on the full matrix, the interval as psych/pingouin write it.

    The interval's df uses Shrout & Fleiss's (1979) form in F_J = MSC/MSE;
    the module uses McGraw & Wong's (1996) form in a and b, which is the same
    algebraically, so agreement checks the algebra as well as the arithmetic.
    """
    n, k = matrix.shape
    grand = matrix.mean()
    ss_rows = k * ((matrix.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((matrix.mean(axis=0) - grand) ** 2).sum()
    ss_total = ((matrix - grand) ** 2).sum()
    ss_error = ss_total - ss_rows - ss_cols
    msr, msc, mse = ss_rows / (n - 1), ss_cols / (k - 1), ss_error / ((n - 1) * (k - 1))
    denominator = msr + (k - 1) * mse + k * (msc - mse) / n
    if ss_total < 1e-12 or denominator < 1e-12:
        return None
    icc = (msr - mse) / denominator
    out = {"icc": icc, "msr": msr, "msc": msc, "mse": mse}
    if mse > 1e-9 and icc < 1 - 1e-9:
        fj = msc / mse
        core = n * (1 + (k - 1) * icc) - k * icc
        v = (
            (k - 1)
            * (n - 1)
            * (k * icc * fj + core) ** 2
            / ((n - 1) * k**2 * icc**2 * fj**2 + core**2)
        )
        q = 1 - (1 - confidence) / 2
        f_low, f_high = stats.f.ppf(q, n - 1, v), stats.f.ppf(q, v, n - 1)
        # The quantiles can be near the largest double when v is near zero;
        # numpy's extended precision holds the products that would overflow.
        f_low, f_high = np.longdouble(f_low), np.longdouble(f_high)
        spread = k * msc + (k * n - k - n) * mse
        with np.errstate(invalid="ignore"):  # inf / inf: handled just below
            out["low"] = float(n * (msr - f_low * mse) / (f_low * spread + n * msr))
            out["high"] = float(n * (f_high * msr - mse) / (spread + n * f_high * msr))
        # Beyond even that (scipy returns inf), the bounds' limits as F grows.
        if np.isinf(f_low):
            out["low"] = -n * mse / spread
        if np.isinf(f_high):
            out["high"] = 1.0
    return out


@st.composite
def rating_matrices(draw: st.DrawFn) -> list[list[int]]:
    """Targets x raters: a target effect, a rater bias and noise, on a 0-10 scale."""
    n = draw(st.integers(2, 25))
    k = draw(st.integers(2, 5))
    spread = draw(st.integers(0, 4))
    noise = draw(st.integers(0, 3))
    targets = draw(st.lists(st.integers(0, spread), min_size=n, max_size=n))
    biases = draw(st.lists(st.integers(-1, 1), min_size=k, max_size=k))
    errors = draw(st.lists(st.integers(-noise, noise), min_size=n * k, max_size=n * k))
    return [
        [min(10, max(0, 3 + targets[i] + biases[j] + errors[i * k + j])) for j in range(k)]
        for i in range(n)
    ]


@st.composite
def noise_matrices(draw: st.DrawFn) -> list[list[int]]:
    """Targets x raters of pure noise: negative ICCs and near-zero interval df live here."""
    k = draw(st.integers(2, 5))
    row = st.lists(st.integers(0, 6), min_size=k, max_size=k)
    return draw(st.lists(row, min_size=2, max_size=12))


@PROPERTY
@given(st.one_of(rating_matrices(), noise_matrices()), st.sampled_from([0.90, 0.95, 0.99]))
def test_icc_matches_numpy_anova_and_scipy_interval(
    rows: list[list[int]], confidence: float
) -> None:
    result = icc_2_1(rows, confidence=confidence)
    assert_never_nan(result)
    reference = icc_reference(np.array(rows, dtype=float), confidence)
    if reference is None:
        assert result.value is None
        return
    assert result.value == pytest.approx(reference["icc"], rel=1e-9, abs=1e-12)
    assert result.ms_targets == pytest.approx(reference["msr"], rel=1e-9, abs=1e-12)
    assert result.ms_raters == pytest.approx(reference["msc"], rel=1e-9, abs=1e-12)
    assert result.ms_error == pytest.approx(reference["mse"], rel=1e-9, abs=1e-12)
    if reference["msr"] < 1e-12:
        # Every bound reduces to the estimate: no interval is reported.
        assert result.ci_low is None and result.ci_reason is not None
        return
    if "low" not in reference:
        return
    low, high = reference["low"], reference["high"]
    if all(map(math.isfinite, (low, high))) and low <= reference["icc"] <= high:
        assert result.ci_low == pytest.approx(low, rel=1e-7, abs=1e-9)
        assert result.ci_high == pytest.approx(high, rel=1e-7, abs=1e-9)
        assert result.ci_low is not None and result.ci_high is not None
        assert result.ci_low - 1e-9 <= reference["icc"] <= result.ci_high + 1e-9
    else:
        # The approximation broke down (see test_icc_interval_that_misses_its_estimate).
        assert result.ci_low is None and result.ci_reason is not None


def test_icc_interval_that_misses_its_estimate() -> None:
    # ICC = -0.32, Satterthwaite df v = 0.0074: F(3, v)'s 97.5% point is near
    # 6e307, and the textbook formula gives NaN for the lower bound (overflow)
    # and an upper bound of -0.34, below the estimate. No interval is reported.
    result = icc_2_1([[3, 3], [1, 5], [1, 5], [3, 4]])
    assert result.value == pytest.approx(-0.32)
    assert (result.ci_low, result.ci_high) == (None, None)
    assert result.ci_reason is not None and "does not contain the estimate" in result.ci_reason


# Shrout & Fleiss (1979, Psychol Bull 86:420-428) Table 2: 6 targets, 4 judges;
# ICC(2,1) = .29. Data as in R psych's tests/testthat/test_ICC.R and the irr /
# DescTools examples; psych::ICC prints F = 11.03 (df 5, 15) and the interval
# 0.019 to 0.76.
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]

# pingouin's `icc` data set (8 wines, 4 judges); its docs print ICC2 = 0.728,
# CI95% [0.43, 0.93], and its tests check 0.728, 0.434 and 0.927.
WINE = {
    "A": [1, 1, 3, 6, 6, 7, 8, 9],
    "B": [2, 3, 8, 4, 5, 5, 7, 9],
    "C": [0, 3, 1, 3, 5, 6, 7, 9],
    "D": [1, 2, 4, 3, 6, 2, 9, 8],
}


def test_icc_published_examples() -> None:
    sf = icc_2_1(SHROUT_FLEISS)
    assert round(sf.value or 0.0, 2) == 0.29
    assert (sf.ms_targets or 0.0) / (sf.ms_error or 1.0) == pytest.approx(11.03, abs=0.005)
    assert round(sf.ci_low or 0.0, 3) == 0.019
    assert round(sf.ci_high or 0.0, 2) == 0.76
    assert (sf.n, sf.raters, sf.dropped) == (6, 4, 0)

    wine = icc_2_1(list(zip(*WINE.values(), strict=True)))
    assert round(wine.value or 0.0, 3) == 0.728
    assert round(wine.ci_low or 0.0, 3) == 0.434
    assert round(wine.ci_high or 0.0, 3) == 0.927


def test_icc_drops_targets_with_a_missing_rating() -> None:
    rows: list[list[float | None]] = [list(map(float, row)) for row in SHROUT_FLEISS]
    rows.insert(2, [3.0, None, 4.0, 5.0])
    rows.append([None, None, None, None])
    assert icc_2_1(rows) == replace(icc_2_1(SHROUT_FLEISS), dropped=2)


def test_icc_edge_cases() -> None:
    perfect = icc_2_1([[1, 1, 1], [4, 4, 4], [2, 2, 2]])
    assert perfect.value == 1.0
    assert perfect.ci_low is None and perfect.ci_high is None
    assert perfect.ci_reason is not None

    flat = icc_2_1([[3, 3], [3, 3], [3, 3]])
    assert flat.value is None
    assert flat.reason is not None and "same value" in flat.reason

    # Zero ANOVA denominator: no target or rater variance with n = k = 2.
    zero = icc_2_1([[1, 2], [2, 1]])
    assert zero.value is None
    assert zero.reason is not None and "denominator is zero" in zero.reason

    one_rater = icc_2_1([[1], [2], [3]])
    assert one_rater.value is None
    assert one_rater.reason is not None and "fewer than two raters" in one_rater.reason

    one_target = icc_2_1([[1, 2, 3]])
    assert one_target.value is None and one_target.n == 1

    empty_cases: list[list[list[float | None]]] = [[], [[None, None], [1, None]]]
    for rows in empty_cases:
        empty = icc_2_1(rows)
        assert empty.value is None
        assert empty.n == 0
        assert empty.reason is not None

    # Constant rater offsets, no residual: MSE = 0 yet the ICC and its
    # interval are defined (absolute agreement penalises the offsets).
    offset = icc_2_1([[1, 2], [3, 4], [6, 7]])
    assert offset.ms_error == 0.0
    assert offset.value is not None and 0 < offset.value < 1
    assert offset.ci_low is not None and offset.ci_high is not None


def test_icc_rejects_bad_rows() -> None:
    with pytest.raises(RatingError, match="every target needs 3 rating slots"):
        icc_2_1([[1, 2, 3], [1, 2]])
    with pytest.raises(RatingError, match="finite number"):
        icc_2_1([[1.0, math.nan]])
    with pytest.raises(RatingError, match="must be a number"):
        icc_2_1([[1, "2"]])  # type: ignore[list-item]
    with pytest.raises(RatingError, match="must be a number"):
        icc_2_1([[True, False]])
    with pytest.raises(ValueError, match="confidence"):
        icc_2_1(SHROUT_FLEISS, confidence=1.0)


def test_icc_accepts_numpy_numbers_and_floats() -> None:
    exact = icc_2_1(SHROUT_FLEISS)
    assert icc_2_1(np.array(SHROUT_FLEISS)).value == pytest.approx(exact.value)
    halves = icc_2_1([[x / 2 for x in row] for row in SHROUT_FLEISS])
    assert halves.value == pytest.approx(exact.value, rel=1e-12)


def test_icc_without_variance_between_targets_has_no_interval() -> None:
    # Equal target means: MSR = 0, the ICC is negative, and every bound
    # formula collapses to the estimate itself.
    result = icc_2_1([[2, 3], [4, 1]])
    assert result.ms_targets == 0.0
    assert result.value == pytest.approx(-4.0)
    assert result.ci_low is None
    assert result.ci_reason is not None and "same mean" in result.ci_reason


def test_icc_ratings_too_large_to_square() -> None:
    result = icc_2_1([[1e200, 2e200], [3e200, 1e200]])
    assert result.value is None
    assert result.reason is not None and "too large" in result.reason


def test_icc_zero_variance_with_inexact_floats() -> None:
    # 0.1 is not exact in binary: sums of squares could leave a trace of
    # variance where there is none; the min/max check sees it exactly.
    assert icc_2_1([[0.1, 0.1, 0.1]] * 7).value is None


# --- Accumulators -------------------------------------------------------------------------


@PROPERTY
@given(pairs=pair_lists, cut=st.integers(0, 60))
def test_pair_table_streams_and_merges_like_the_batch_function(pairs: list[Pair], cut: int) -> None:
    streamed = PairTable()
    for first, second in pairs:
        streamed.add(first, second)
    head, tail = PairTable(), PairTable()
    head.extend(pairs[:cut])
    tail.extend(pairs[cut:])
    head.merge(tail)
    for table in (streamed, head):
        assert table.kappa() == cohen_kappa(pairs)
        assert table.weighted_kappa([0, 1, 2, 3, 4]) == weighted_kappa(pairs, [0, 1, 2, 3, 4])


@PROPERTY
@given(
    units=st.lists(
        st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=0, max_size=5), max_size=30
    ),
    cut=st.integers(0, 30),
)
def test_fleiss_table_streams_and_merges_like_the_batch_function(
    units: list[list[int | None]], cut: int
) -> None:
    head, tail = FleissTable(), FleissTable()
    head.extend(units[:cut])
    tail.extend(units[cut:])
    head.merge(tail)
    assert head.kappa() == fleiss_kappa(units)


@PROPERTY
@given(rows=rating_matrices(), cut=st.integers(0, 25))
def test_icc_sums_stream_and_merge_like_the_batch_function(rows: list[list[int]], cut: int) -> None:
    streamed = IccSums()
    for row in rows:
        streamed.add(row)
    head, tail = IccSums(), IccSums()
    head.extend(rows[:cut])
    tail.extend(rows[cut:])
    head.merge(tail)
    # Integer ratings are summed exactly, so the results are equal, not close.
    assert streamed.icc() == icc_2_1(rows)
    assert head.icc() == icc_2_1(rows)


def test_accumulators_hold_counts_not_ratings() -> None:
    # Flat memory: 20,000 units over 5 categories leave tables the size of the categories.
    rng = random.Random(7)
    pairs, fleiss, icc = PairTable(), FleissTable(), IccSums()
    for _ in range(20_000):
        ratings = [rng.randint(1, 5) for _ in range(3)]
        pairs.add(ratings[0], ratings[1])
        fleiss.add(ratings)
        icc.add(ratings)
    assert len(pairs.counts) <= 25
    assert len(fleiss.category_ratings) <= 5 and len(fleiss.agreeing_pairs) == 1
    assert len(icc.columns) == 3
    other = IccSums()
    other.add([1, 2])
    with pytest.raises(RatingError, match="cannot merge ratings from 2 raters into 3"):
        icc.merge(other)


def test_run_time_needs_only_the_standard_library() -> None:
    # What importing the module adds to sys.modules, beyond the standard library.
    code = (
        "import sys; before = set(sys.modules); import qiappraise.raters.interrater; "
        "added = {m.split('.')[0] for m in set(sys.modules) - before}; "
        "print(*sorted(added - set(sys.stdlib_module_names) - {'qiappraise'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == []


# --- Small-n cautions -----------------------------------------------------------------------


def test_kappa_minimum_follows_cicchetti() -> None:
    # 2k^2, "about 20 (when k = 3) ... about 200 (when k = 10)"; k < 3 counts as 3.
    assert [kappa_min_units(k) for k in (1, 2, 3, 5, 10)] == [18, 18, 18, 50, 200]
    assert kappa_caution(50, 5) is None
    caution = kappa_caution(49, 5)
    assert caution is not None and "Cicchetti (1981" in caution and "50" in caution
    assert caution.startswith("only 49 rated units:")
    assert str(kappa_caution(1, 5)).startswith("only 1 rated unit:")
    assert cohen_kappa([(1, 1), (2, 2), (1, 2)]).caution is not None
    assert cohen_kappa([(1, 1), (2, 2), (1, 2)] * 6).caution is None


def test_icc_caution_follows_koo_and_li() -> None:
    assert (ICC_MIN_TARGETS, ICC_MIN_RATERS) == (30, 3)
    assert icc_caution(30, 3) is None
    for n, k in [(29, 3), (30, 2)]:
        caution = icc_caution(n, k)
        assert caution is not None and "Koo & Li (2016" in caution
    assert icc_2_1(SHROUT_FLEISS).caution is not None
    many = [[t, t + 1, t + (t % 2)] for t in range(30)]
    assert icc_2_1(many).caution is None
    # No caution on a value that does not exist.
    assert icc_2_1([[3, 3]] * 40).caution is None
