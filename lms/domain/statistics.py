"""Quiz and question statistics with Moodle's definitions, from sums that SQL can aggregate.

For question i over the attempts that included it, x is the credit it earned (0 to 1) and
y the rest of the attempt's points (attempt points minus x):

- facility index F = 100 * mean(x): how easy the question was;
- standard deviation SD = 100 * sd(x);
- discrimination index D = 100 * r(x, y), Pearson's correlation of the question with the
  rest of the quiz: do learners who do well elsewhere do well here?
- discriminative efficiency E = 100 * cov(x, y) / cov_max(x, y), where cov_max pairs the
  sorted x with the sorted y: how much of the discrimination its facility allows it achieves.

For the quiz: mean, median and SD of scores, and Cronbach's alpha (KR-20 for right/wrong
items) over the attempt's question positions, as Moodle does for randomly drawn slots:
alpha = k / (k - 1) * (1 - sum of position variances / variance of totals).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

# Thresholds for flagging a question, shown to instructors on the analysis page.
MIN_ATTEMPTS_FOR_FLAGS = 20
VERY_EASY = 90.0
VERY_HARD = 25.0
WEAK_DISCRIMINATION = 20.0


@dataclass(frozen=True)
class Moments:
    """Count, sum and sum of squares of a sample."""

    n: int
    total: float
    total_sq: float

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def variance(self) -> float | None:
        """The sample variance (n - 1), or None below two values."""
        if self.n < 2:
            return None
        return max(0.0, (self.total_sq - self.total * self.total / self.n) / (self.n - 1))

    @property
    def sd(self) -> float | None:
        variance = self.variance
        return None if variance is None else math.sqrt(variance)

    @classmethod
    def of(cls, values: Iterable[float]) -> Moments:
        values = list(values)
        return cls(len(values), sum(values), sum(v * v for v in values))


@dataclass(frozen=True)
class ItemSums:
    """Sufficient statistics of one question: x its credit, y the rest of the attempt."""

    n: int
    sx: float
    sxx: float
    sy: float
    syy: float
    sxy: float
    sorted_sxy: float  # sum of x_(k) * y_(k), both sorted ascending


@dataclass(frozen=True)
class ItemStatistics:
    n: int
    facility: float | None
    sd: float | None
    discrimination: float | None
    efficiency: float | None


class Flag(StrEnum):
    """Why a question needs an instructor's attention (the web layer words it)."""

    VERY_EASY = "very-easy"
    VERY_HARD = "very-hard"
    NEGATIVE = "negative"  # negative discrimination: check the key and the wording
    WEAK = "weak"  # weak discrimination

    @property
    def code(self) -> str:
        return self.value


def sorted_pair_sum(x_counts: Mapping[float, int], y_counts: Mapping[float, int]) -> float:
    """Return sum(x_(k) * y_(k)) for two equally long samples given as value -> count, each sorted."""
    xs = sorted(x_counts.items())
    ys = sorted(y_counts.items())
    if sum(c for _, c in xs) != sum(c for _, c in ys):
        raise ValueError("samples differ in size")
    total, i, j = 0.0, 0, 0
    x_left = xs[0][1] if xs else 0
    y_left = ys[0][1] if ys else 0
    while i < len(xs) and j < len(ys):
        step = min(x_left, y_left)
        total += step * xs[i][0] * ys[j][0]
        x_left -= step
        y_left -= step
        if x_left == 0:
            i += 1
            x_left = xs[i][1] if i < len(xs) else 0
        if y_left == 0:
            j += 1
            y_left = ys[j][1] if j < len(ys) else 0
    return total


def item_sums_from_pairs(pairs: Sequence[tuple[float, float]]) -> ItemSums:
    """Build the sums from raw (credit, rest) pairs: the reference the SQL path must match."""
    xs = sorted(x for x, _ in pairs)
    ys = sorted(y for _, y in pairs)
    return ItemSums(
        n=len(pairs),
        sx=sum(xs),
        sxx=sum(x * x for x in xs),
        sy=sum(ys),
        syy=sum(y * y for y in ys),
        sxy=sum(x * y for x, y in pairs),
        sorted_sxy=sum(x * y for x, y in zip(xs, ys, strict=True)),
    )


def item_statistics(sums: ItemSums) -> ItemStatistics:
    """Facility, SD, discrimination and efficiency (all 0-100 scales; None where undefined)."""
    n = sums.n
    if n == 0:
        return ItemStatistics(0, None, None, None, None)
    facility = 100.0 * sums.sx / n
    if n < 2:
        return ItemStatistics(n, facility, None, None, None)
    var_x = Moments(n, sums.sx, sums.sxx).variance
    var_y = Moments(n, sums.sy, sums.syy).variance
    cov = (sums.sxy - sums.sx * sums.sy / n) / (n - 1)
    cov_max = (sums.sorted_sxy - sums.sx * sums.sy / n) / (n - 1)
    sd = 100.0 * math.sqrt(var_x)
    # With no spread in x or y, a correlation does not exist.
    discrimination = 100.0 * cov / math.sqrt(var_x * var_y) if var_x > 1e-12 and var_y > 1e-12 else None
    efficiency = 100.0 * cov / cov_max if cov_max > 1e-12 else None
    return ItemStatistics(n, facility, sd, discrimination, efficiency)


def flags_for(stats: ItemStatistics, min_attempts: int = MIN_ATTEMPTS_FOR_FLAGS) -> tuple[Flag, ...]:
    """Say what needs attention: too easy, too hard, negative or weak discrimination."""
    if stats.n < min_attempts or stats.facility is None:
        return ()
    flags = []
    if stats.facility >= VERY_EASY:
        flags.append(Flag.VERY_EASY)
    elif stats.facility <= VERY_HARD:
        flags.append(Flag.VERY_HARD)
    if stats.discrimination is not None:
        if stats.discrimination < 0:
            flags.append(Flag.NEGATIVE)
        elif stats.discrimination < WEAK_DISCRIMINATION:
            flags.append(Flag.WEAK)
    return tuple(flags)


def median_from_counts(counts: Mapping[float, int]) -> float | None:
    """Return the median of a sample given as value -> count."""
    n = sum(counts.values())
    if n == 0:
        return None
    ordered = sorted(counts.items())

    def value_at(index: int) -> float:
        seen = 0
        for value, count in ordered:
            seen += count
            if index < seen:
                return value
        raise IndexError(index)

    if n % 2:
        return value_at(n // 2)
    return (value_at(n // 2 - 1) + value_at(n // 2)) / 2


def cronbach_alpha(position_moments: Sequence[Moments], totals: Moments) -> float | None:
    """Cronbach's alpha (0-100) of k positions; None when undefined (k < 2 or no spread)."""
    k = len(position_moments)
    total_variance = totals.variance
    variances = [m.variance for m in position_moments]
    if k < 2 or not total_variance or any(v is None for v in variances):
        return None
    return 100.0 * (k / (k - 1)) * (1.0 - sum(variances) / total_variance)
