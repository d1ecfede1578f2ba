"""Inter-rater agreement: how consistently supervisors rate the same QI projects.

Three statistics, each from a streaming accumulator that holds counts or sums
and never the ratings themselves, so 10,000 projects x 3 raters x 40 questions
fit in constant memory:

* Cohen's kappa for two raters, unweighted or quadratic-weighted
  (:class:`PairTable`, :func:`cohen_kappa`, :func:`weighted_kappa`);
* Fleiss' kappa for several raters, with missing ratings
  (:class:`FleissTable`, :func:`fleiss_kappa`);
* ICC(2,1), absolute agreement of single raters, with its confidence interval
  (:class:`IccSums`, :func:`icc_2_1`).

A result whose statistic cannot be computed has ``value=None`` and a
``reason``; it never holds NaN. Where the reference libraries return NaN
(scikit-learn's and statsmodels' kappa when every rating falls in one
category), this module returns None and says why.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from .fdist import f_ppf

__all__ = [
    "ICC_MIN_RATERS",
    "ICC_MIN_TARGETS",
    "ONE_CATEGORY",
    "FleissTable",
    "IccResult",
    "IccSums",
    "KappaResult",
    "PairTable",
    "RatingError",
    "cohen_kappa",
    "fleiss_kappa",
    "icc_2_1",
    "icc_caution",
    "kappa_caution",
    "kappa_min_units",
    "weighted_kappa",
]

#: A categorical rating: any hashable value. ``None`` always means "not rated".
Rating = Hashable

ONE_CATEGORY = "every rating is in one category: kappa is undefined (agreement is 100%)"

# Koo TK, Li MY. A guideline of selecting and reporting intraclass correlation
# coefficients for reliability research. J Chiropr Med 2016;15(2):155-163:
# "As a rule of thumb, researchers should try to obtain at least 30
# heterogeneous samples and involve at least 3 raters whenever possible when
# conducting a reliability study." A rule of thumb, not a power calculation;
# heterogeneity of the targets cannot be checked from the ratings.
ICC_MIN_TARGETS = 30
ICC_MIN_RATERS = 3

# Cicchetti DV. Testing the normal approximation and minimal sample size
# requirements of weighted kappa when the number of categories is large.
# Appl Psychol Meas 1981;5(1):101-104, with Cicchetti & Fleiss (1977): "the
# minimal N required for the valid application of weighted kappa can be easily
# approximated by the simple formula 2k^2" for k categories, "about 20 (when
# k = 3) to ... about 200 (when k = 10)". The simulations covered 3 <= k <= 10.
# Our own choices, not the paper's: k below 3 is counted as 3 (18 units)
# rather than extrapolated down to 8, and the rule is applied to unweighted
# kappa (weighted kappa with 0/1 weights) and to Fleiss' kappa as the nearest
# published guide.
_CICCHETTI_MIN_K = 3


class RatingError(ValueError):
    """A rating that the statistic cannot take: outside the given order, not a number, ..."""


@dataclass(frozen=True)
class KappaResult:
    """Cohen's or Fleiss' kappa with the counts behind it.

    ``value`` is None exactly when ``reason`` says why. ``n`` counts the units
    (pairs, or units with two or more ratings) that were used; ``dropped`` those
    that were not. ``percent_agreement`` is the raw agreement, 0 to 100: the
    share of pairs rated identically (Cohen), or of agreeing rater pairs within
    a unit, averaged over units (Fleiss). ``observed`` and ``expected`` are the
    agreement proportions that kappa compares, weighted for weighted kappa.
    ``raters`` is 2 for Cohen's kappa and, for Fleiss', the most ratings any
    unit had. ``caution`` is set when ``n`` is below the published minimum.
    """

    method: str
    value: float | None
    n: int
    raters: int
    categories: int
    dropped: int
    percent_agreement: float | None
    observed: float | None
    expected: float | None
    reason: str | None = None
    caution: str | None = None


@dataclass(frozen=True)
class IccResult:
    """ICC(2,1) with its confidence interval and the ANOVA mean squares behind it.

    ``value`` is None exactly when ``reason`` says why; the interval bounds are
    None exactly when ``ci_reason`` (or ``reason``) says why. ``n`` counts the
    targets with a rating from every rater; ``dropped`` the targets left out.
    """

    value: float | None
    n: int
    raters: int
    dropped: int
    ci_low: float | None = None
    ci_high: float | None = None
    confidence: float = 0.95
    ms_targets: float | None = None
    ms_raters: float | None = None
    ms_error: float | None = None
    reason: str | None = None
    ci_reason: str | None = None
    caution: str | None = None
    method: str = "ICC(2,1): two-way random effects, absolute agreement, single rater"


def kappa_min_units(categories: int) -> int:
    """Cicchetti's (1981) minimum number of rated units for kappa over ``categories``: 2k^2."""
    k = max(categories, _CICCHETTI_MIN_K)
    return 2 * k * k


def kappa_caution(n: int, categories: int) -> str | None:
    """Why ``n`` units are too few for a kappa over ``categories`` to mean much, or None."""
    needed = kappa_min_units(categories)
    if n >= needed:
        return None
    return (
        f"only {n} rated {'unit' if n == 1 else 'units'}: for {categories} categories "
        "Cicchetti (1981, Appl Psychol Meas "
        f"5:101-104) puts the minimum for a valid kappa at about 2k² = {needed}"
    )


def icc_caution(n: int, raters: int) -> str | None:
    """Why ``n`` targets and ``raters`` raters are too few for an ICC to mean much, or None."""
    if n >= ICC_MIN_TARGETS and raters >= ICC_MIN_RATERS:
        return None
    return (
        f"{n} targets and {raters} raters: Koo & Li (2016, J Chiropr Med 15:155-163) advise, "
        f"as a rule of thumb, at least {ICC_MIN_TARGETS} heterogeneous targets and at least "
        f"{ICC_MIN_RATERS} raters for a reliability study"
    )


# --- Cohen's kappa ---------------------------------------------------------------------------


class PairTable:
    """Two raters' contingency table, filled one pair at a time.

    Pairs with a missing rating (None) are counted in ``dropped`` and otherwise
    ignored. Memory grows with the number of category pairs, not of ratings.
    """

    def __init__(self) -> None:
        self.counts: dict[tuple[Rating, Rating], int] = {}
        self.dropped = 0

    def add(self, first: Rating | None, second: Rating | None) -> None:
        if first is None or second is None:
            self.dropped += 1
            return
        key = (first, second)
        self.counts[key] = self.counts.get(key, 0) + 1

    def extend(self, pairs: Iterable[tuple[Rating | None, Rating | None]]) -> None:
        for first, second in pairs:
            self.add(first, second)

    def merge(self, other: PairTable) -> None:
        """Add another table's pairs to this one (say, from a worker process)."""
        for key, count in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + count
        self.dropped += other.dropped

    def kappa(self) -> KappaResult:
        """Cohen's (1960) kappa, for unordered categories."""
        method = "Cohen's kappa"
        n, rows, cols, agree = self._margins()
        if n == 0:
            return self._undefined(method, "no pair has both ratings", 0)
        categories = len(rows.keys() | cols.keys())
        # Counts scaled by n*n keep everything an integer until one division,
        # so perfect agreement is exactly 1.0 and "undefined" is an exact test.
        chance = sum(count * cols.get(category, 0) for category, count in rows.items())
        if chance == n * n:
            return self._undefined(method, ONE_CATEGORY, n, categories, agree)
        return KappaResult(
            method=method,
            value=(n * agree - chance) / (n * n - chance),
            n=n,
            raters=2,
            categories=categories,
            dropped=self.dropped,
            percent_agreement=100.0 * agree / n,
            observed=agree / n,
            expected=chance / (n * n),
            caution=kappa_caution(n, categories),
        )

    def weighted_kappa(self, order: Sequence[Rating]) -> KappaResult:
        """Cohen's (1968) weighted kappa with quadratic weights over the ordered ``order``.

        The categories are taken as equally spaced: a disagreement between the
        ``i``-th and ``j``-th costs ``(i - j)^2``, as scikit-learn's
        ``weights="quadratic"`` does. Every rating must appear in ``order``.
        """
        method = "Cohen's kappa, quadratic weights"
        position = _positions(order)
        n, rows, cols, agree = self._margins()
        if n == 0:
            return self._undefined(method, "no pair has both ratings", 0, len(order))
        for category in rows.keys() | cols.keys():
            if category not in position:
                raise RatingError(
                    f"rating {category!r} is not one of the ordered categories {list(order)!r}"
                )
        # Disagreement form: kappa_w = 1 - observed / chance disagreement,
        # both as integers scaled by n*n.
        observed = n * sum(
            count * (position[a] - position[b]) ** 2 for (a, b), count in self.counts.items()
        )
        row_1 = sum(count * position[c] for c, count in rows.items())
        row_2 = sum(count * position[c] ** 2 for c, count in rows.items())
        col_1 = sum(count * position[c] for c, count in cols.items())
        col_2 = sum(count * position[c] ** 2 for c, count in cols.items())
        # sum over i, j of rows_i * cols_j * (i - j)^2, expanded.
        chance = n * row_2 + n * col_2 - 2 * row_1 * col_1
        if chance == 0:
            return self._undefined(method, ONE_CATEGORY, n, len(order), agree)
        span = n * n * (len(order) - 1) ** 2
        return KappaResult(
            method=method,
            value=1.0 - observed / chance,
            n=n,
            raters=2,
            categories=len(order),
            dropped=self.dropped,
            percent_agreement=100.0 * agree / n,
            observed=1.0 - observed / span,
            expected=1.0 - chance / span,
            caution=kappa_caution(n, len(order)),
        )

    def _margins(self) -> tuple[int, dict[Rating, int], dict[Rating, int], int]:
        rows: dict[Rating, int] = {}
        cols: dict[Rating, int] = {}
        n = agree = 0
        for (first, second), count in self.counts.items():
            n += count
            rows[first] = rows.get(first, 0) + count
            cols[second] = cols.get(second, 0) + count
            if first == second:
                agree += count
        return n, rows, cols, agree

    def _undefined(
        self, method: str, reason: str, n: int, categories: int = 0, agree: int = 0
    ) -> KappaResult:
        # With every rating in one category both agreements are 1; with no
        # pairs there is nothing to report.
        one = 1.0 if n else None
        return KappaResult(
            method=method,
            value=None,
            n=n,
            raters=2,
            categories=categories,
            dropped=self.dropped,
            percent_agreement=100.0 * agree / n if n else None,
            observed=one,
            expected=one,
            reason=reason,
        )


def cohen_kappa(pairs: Iterable[tuple[Rating | None, Rating | None]]) -> KappaResult:
    """Cohen's kappa for two raters' ratings of the same units; pairs with a None are dropped."""
    table = PairTable()
    table.extend(pairs)
    return table.kappa()


def weighted_kappa(
    pairs: Iterable[tuple[Rating | None, Rating | None]], order: Sequence[Rating]
) -> KappaResult:
    """Quadratic-weighted Cohen's kappa over the categories in ``order``, lowest first."""
    table = PairTable()
    table.extend(pairs)
    return table.weighted_kappa(order)


def _positions(order: Sequence[Rating]) -> dict[Rating, int]:
    position: dict[Rating, int] = {}
    for index, category in enumerate(order):
        if category is None:
            raise RatingError("the ordered categories cannot include None, which means 'not rated'")
        if category in position:
            raise RatingError(f"category {category!r} appears twice in the order {list(order)!r}")
        position[category] = index
    return position


# --- Fleiss' kappa ---------------------------------------------------------------------------


class FleissTable:
    """Fleiss' kappa for units each rated by any number of raters, filled one unit at a time.

    Missing ratings follow Gwet's generalisation of Fleiss (1971) (Gwet,
    Handbook of Inter-Rater Reliability, 4th ed., 2014, as in his irrCAC
    package). Observed agreement: over the units with two or more ratings, the
    share of a unit's rater pairs that agree, averaged. Chance agreement: the
    sum over categories of the squared prevalence, where a category's
    prevalence is its share of a unit's ratings averaged over every rated unit
    (a unit rated once counts here, though it shows no agreement). With the
    same number of ratings on every unit this is exactly Fleiss' kappa.

    Why not complete cases only: a project that one of three supervisors
    skipped still shows whether the other two agree, and a rule that discards
    it would throw away most of the data as soon as ratings are patchy.

    Only integer counts are kept (per category and per number of raters), so
    memory grows with the number of categories, not of units.
    """

    def __init__(self) -> None:
        # Per number of ratings r on a unit: the sum over such units of
        # sum_k r_k (r_k - 1), the count of agreeing ordered rater pairs.
        self.agreeing_pairs: dict[int, int] = {}
        # Per (category, r): the sum over units with r ratings of r_k, the
        # number of ratings in category k.
        self.category_ratings: dict[tuple[Rating, int], int] = {}
        self.rated_units = 0
        self.agreement_units = 0
        self.dropped = 0
        self.most_raters = 0

    def add(self, ratings: Iterable[Rating | None]) -> None:
        """One unit's ratings, one per rater; None for a rater who did not rate it."""
        counts: dict[Rating, int] = {}
        total = 0
        for rating in ratings:
            if rating is not None:
                counts[rating] = counts.get(rating, 0) + 1
                total += 1
        if total < 2:
            self.dropped += 1
        if total == 0:
            return
        self.rated_units += 1
        for category, count in counts.items():
            key = (category, total)
            self.category_ratings[key] = self.category_ratings.get(key, 0) + count
        if total >= 2:
            self.agreement_units += 1
            self.most_raters = max(self.most_raters, total)
            pairs = sum(count * (count - 1) for count in counts.values())
            self.agreeing_pairs[total] = self.agreeing_pairs.get(total, 0) + pairs

    def extend(self, units: Iterable[Iterable[Rating | None]]) -> None:
        for ratings in units:
            self.add(ratings)

    def merge(self, other: FleissTable) -> None:
        """Add another table's units to this one (say, from a worker process)."""
        for total, pairs in other.agreeing_pairs.items():
            self.agreeing_pairs[total] = self.agreeing_pairs.get(total, 0) + pairs
        for key, count in other.category_ratings.items():
            self.category_ratings[key] = self.category_ratings.get(key, 0) + count
        self.rated_units += other.rated_units
        self.agreement_units += other.agreement_units
        self.dropped += other.dropped
        self.most_raters = max(self.most_raters, other.most_raters)

    def kappa(self) -> KappaResult:
        method = "Fleiss' kappa"
        n = self.agreement_units
        categories = len({category for category, _total in self.category_ratings})
        if n == 0:
            return KappaResult(
                method=method,
                value=None,
                n=0,
                raters=self.most_raters,
                categories=categories,
                dropped=self.dropped,
                percent_agreement=None,
                observed=None,
                expected=None,
                reason="no unit has ratings from two or more raters, so agreement cannot be seen",
            )
        # Exact fractions: the dictionaries are small, and exactness makes
        # perfect agreement exactly 1.0 and the one-category test exact.
        observed = (
            sum(
                (
                    Fraction(pairs, total * (total - 1))
                    for total, pairs in self.agreeing_pairs.items()
                ),
                Fraction(0),
            )
            / n
        )
        shares: dict[Rating, Fraction] = {}
        for (category, total), count in self.category_ratings.items():
            shares[category] = shares.get(category, Fraction(0)) + Fraction(count, total)
        expected = sum((share * share for share in shares.values()), Fraction(0)) / (
            self.rated_units * self.rated_units
        )
        if expected == 1:
            value = None
            reason: str | None = ONE_CATEGORY
        else:
            value = float((observed - expected) / (1 - expected))
            reason = None
        return KappaResult(
            method=method,
            value=value,
            n=n,
            raters=self.most_raters,
            categories=categories,
            dropped=self.dropped,
            percent_agreement=100.0 * float(observed),
            observed=float(observed),
            expected=float(expected),
            reason=reason,
            caution=kappa_caution(n, categories) if value is not None else None,
        )


def fleiss_kappa(units: Iterable[Iterable[Rating | None]]) -> KappaResult:
    """Fleiss' kappa over units, each an iterable of its raters' ratings (None for missing).

    Units with fewer than two ratings show no agreement and are counted in
    ``dropped``; see :class:`FleissTable` for how missing ratings are treated.
    """
    table = FleissTable()
    table.extend(units)
    return table.kappa()


# --- ICC(2,1) --------------------------------------------------------------------------------


class IccSums:
    """Running sums for ICC(2,1) over targets (rows) each rated by the same k raters (columns).

    A target with any missing rating is dropped, as the two-way ANOVA needs a
    complete table; k is fixed by the first row. Kept: the number of targets,
    the sum and sum of squares of ratings, the sum of squared row totals, each
    rater's column total, and the smallest and largest rating (which tell zero
    variance exactly, where floating-point sums might leave a trace).
    Integer ratings are summed exactly (column totals in floats, which hold
    integers exactly below 2**53).
    """

    def __init__(self) -> None:
        self.raters = 0
        self.n = 0
        self.dropped = 0
        self.total: float = 0
        self.squares: float = 0
        self.row_squares: float = 0
        self.columns: list[float] = []
        self.low = math.inf
        self.high = -math.inf

    def add(self, row: Sequence[float | None]) -> None:
        """One target's ratings, one per rater in a fixed order; None where a rater did not rate."""
        if self.raters == 0:
            if len(row) == 0:
                raise RatingError("a target needs one rating slot per rater, got an empty row")
            self.raters = len(row)
            self.columns = [0.0] * self.raters
        elif len(row) != self.raters:
            raise RatingError(
                f"every target needs {self.raters} rating slots (one per rater), got {len(row)}"
            )
        if any(value is None for value in row):
            self.dropped += 1
            return
        # Plain ints skip the checks: they are the common case and always valid.
        values = [value if type(value) is int else _number(value) for value in row]
        row_total = sum(values)
        self.n += 1
        self.total += row_total
        self.squares += sum(value * value for value in values)
        self.row_squares += row_total * row_total
        for index, value in enumerate(values):
            self.columns[index] += value
        low, high = min(values), max(values)
        if low < self.low:
            self.low = low
        if high > self.high:
            self.high = high

    def extend(self, rows: Iterable[Sequence[float | None]]) -> None:
        for row in rows:
            self.add(row)

    def merge(self, other: IccSums) -> None:
        """Add another accumulator's targets to this one; both must have the same raters."""
        if other.raters == 0:
            self.dropped += other.dropped
            return
        if self.raters == 0:
            self.raters = other.raters
            self.columns = [0.0] * other.raters
        elif other.raters != self.raters:
            raise RatingError(f"cannot merge ratings from {other.raters} raters into {self.raters}")
        self.n += other.n
        self.dropped += other.dropped
        self.total += other.total
        self.squares += other.squares
        self.row_squares += other.row_squares
        self.columns = [
            mine + theirs for mine, theirs in zip(self.columns, other.columns, strict=True)
        ]
        self.low = min(self.low, other.low)
        self.high = max(self.high, other.high)

    def icc(self, confidence: float = 0.95) -> IccResult:
        """ICC(2,1) (Shrout & Fleiss 1979; McGraw & Wong's ICC(A,1)) and its interval."""
        if not 0.0 < confidence < 1.0:
            raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
        n, k = self.n, self.raters

        def undefined(reason: str) -> IccResult:
            return IccResult(
                value=None,
                n=n,
                raters=k,
                dropped=self.dropped,
                confidence=confidence,
                reason=reason,
            )

        if k < 2:
            return undefined("fewer than two raters: agreement between raters cannot be measured")
        if n == 0:
            return undefined("no target has a rating from every rater")
        if n < 2:
            return undefined("only one complete target: the ICC needs at least two")
        if self.low == self.high:
            return undefined("every rating is the same value: the ICC is undefined (no variance)")
        sums = [self.total, self.squares, self.row_squares, *self.columns]
        if not all(math.isfinite(value) for value in sums):
            return undefined("the ratings are too large to square in floating point")
        # Sums of squares in exact arithmetic from the running sums: for integer
        # ratings the ANOVA is then exact, and no cancellation can turn a zero
        # sum of squares into a small negative one.
        total, cells = Fraction(self.total), n * k
        correction = total * total / cells
        ss_total = Fraction(self.squares) - correction
        ss_targets = Fraction(self.row_squares) / k - correction
        ss_raters = (
            sum((Fraction(c) * Fraction(c) for c in self.columns), Fraction(0)) / n - correction
        )
        ss_error = max(ss_total - ss_targets - ss_raters, Fraction(0))
        ms_targets = ss_targets / (n - 1)
        ms_raters = ss_raters / (k - 1)
        ms_error = ss_error / ((n - 1) * (k - 1))
        # Shrout & Fleiss (1979) eq. 2; McGraw & Wong (1996) ICC(A,1).
        denominator = ms_targets + (k - 1) * ms_error + Fraction(k, n) * (ms_raters - ms_error)
        result = IccResult(
            value=None,
            n=n,
            raters=k,
            dropped=self.dropped,
            confidence=confidence,
            ms_targets=float(ms_targets),
            ms_raters=float(ms_raters),
            ms_error=float(ms_error),
        )
        if denominator <= 0:
            reason = (
                "the ICC's denominator is zero (no variance between targets or between raters): "
                "the ICC is undefined"
            )
            return replace(result, reason=reason)
        icc = float((ms_targets - ms_error) / denominator)
        low, high, ci_reason = _icc_interval(
            icc, n, k, float(ms_targets), float(ms_raters), float(ms_error), confidence
        )
        return replace(
            result,
            value=icc,
            ci_low=low,
            ci_high=high,
            ci_reason=ci_reason,
            caution=icc_caution(n, k),
        )


def icc_2_1(rows: Iterable[Sequence[float | None]], confidence: float = 0.95) -> IccResult:
    """ICC(2,1) over targets, each a row of its raters' numeric ratings (None for missing).

    Every row has one slot per rater, in the same rater order; a row with any
    None is dropped (counted in ``dropped``). ``confidence`` sets the interval.
    """
    sums = IccSums()
    sums.extend(rows)
    return sums.icc(confidence)


def _icc_interval(
    icc: float, n: int, k: int, msr: float, msc: float, mse: float, confidence: float
) -> tuple[float | None, float | None, str | None]:
    """McGraw & Wong (1996) interval for ICC(A,1), as Shrout & Fleiss (1979) give it for ICC(2,1).

    The F distribution's denominator df ``v`` is Satterthwaite's approximation,
    usually fractional. Returns ``(low, high, None)`` or ``(None, None, why)``.
    """
    if icc >= 1.0:
        return None, None, "the raters agree exactly on every target: there is no spread to bound"
    if msr == 0:
        # Every bound formula then reduces to the estimate itself, whatever the
        # F quantile: a zero-width "interval" that would say nothing true.
        return None, None, "every target has the same mean rating: no interval can be formed"
    a = k * icc / (n * (1.0 - icc))
    b = 1.0 + k * icc * (n - 1) / (n * (1.0 - icc))
    # Products, not ** 2: float ** raises OverflowError where * gives inf.
    scaled_c, scaled_e = a * msc, b * mse
    v_denominator = scaled_c * scaled_c / (k - 1) + scaled_e * scaled_e / ((n - 1) * (k - 1))
    v_numerator = (scaled_c + scaled_e) * (scaled_c + scaled_e)
    v = v_numerator / v_denominator if v_denominator > 0 else math.nan
    if not (0.0 < v < math.inf):
        return None, None, "the interval's degrees of freedom are undefined for these ratings"
    quantile = 1.0 - (1.0 - confidence) / 2.0
    f_low = f_ppf(quantile, n - 1, v)
    f_high = f_ppf(quantile, v, n - 1)
    spread = k * msc + (k * n - k - n) * mse
    # Both bounds are one function of an F quantile: the lower bound at
    # 1 / F(n - 1, v), the upper at F(v, n - 1). With v near zero the quantile
    # can be near the largest double, so the function is evaluated in a form
    # that cannot overflow.
    low = _bound(1.0 / f_low if f_low > 0 else math.inf, n, msr, mse, spread)
    high = _bound(f_high, n, msr, mse, spread)
    if low is None or high is None:
        return None, None, "the interval is undefined for these ratings (a zero denominator)"
    # The interval is an approximation; with a negative ICC and a tiny v it can
    # miss its own estimate (psych and pingouin print such intervals as they
    # come). An interval that excludes the estimate is not reported.
    # Allow for rounding: the bounds and the estimate come from different arithmetic.
    slack = 1e-9 * (1.0 + abs(icc))
    if not low - slack <= icc <= high + slack:
        why = (
            f"the approximate interval (Satterthwaite df {v:.3g}) does not contain the estimate "
            "itself, so it is not reported"
        )
        return None, None, why
    return low, high, None


def _bound(g: float, n: int, msr: float, mse: float, spread: float) -> float | None:
    """``n (g MSR - MSE) / (spread + n g MSR)``, or None where the denominator is zero."""
    if math.isinf(g):
        numerator, denominator = n * msr, n * msr
    elif g > 1.0:
        numerator, denominator = n * (msr - mse / g), spread / g + n * msr
    else:
        numerator, denominator = n * (g * msr - mse), spread + n * g * msr
    if denominator == 0:
        return None
    return numerator / denominator


def _number(value: object) -> float:
    """A rating as a Python int (kept exact) or float; numpy scalars are converted."""
    if isinstance(value, bool):
        raise RatingError(f"an ICC rating must be a number, got {value!r}")
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        pass
    if not isinstance(value, numbers.Real):
        raise RatingError(f"an ICC rating must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise RatingError(
            f"an ICC rating must be a finite number, got {value!r} (use None for missing)"
        )
    return number
