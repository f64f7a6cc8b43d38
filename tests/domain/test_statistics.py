"""Statistics against values computed by hand on a small fixed data set."""

import pytest

from lms.domain.statistics import (
    ItemStatistics,
    Moments,
    cronbach_alpha,
    flags_for,
    item_statistics,
    item_sums_from_pairs,
    median_from_counts,
    sorted_pair_sum,
)

# Five attempts at three right-or-wrong questions (rows: attempts, columns: questions).
GRID = [(1, 1, 1), (1, 1, 0), (1, 0, 0), (0, 1, 0), (0, 0, 0)]


def pairs(item: int):
    return [(row[item], sum(row) - row[item]) for row in GRID]


def test_question_one_by_hand():
    # x = 1,1,1,0,0; rest = 2,1,0,1,0: var x 0.3, var rest 0.7, cov 0.15, max cov 0.4
    stats = item_statistics(item_sums_from_pairs(pairs(0)))
    assert stats.n == 5
    assert stats.facility == pytest.approx(60)
    assert stats.sd == pytest.approx(100 * 0.3**0.5)
    assert stats.discrimination == pytest.approx(100 * 0.15 / (0.3 * 0.7) ** 0.5)  # 32.73
    assert stats.efficiency == pytest.approx(37.5)


def test_question_without_spread_has_no_discrimination():
    stats = item_statistics(item_sums_from_pairs([(1, 2), (1, 1), (1, 0)]))
    assert stats.facility == 100 and stats.sd == 0
    assert stats.discrimination is None and stats.efficiency is None


def test_cronbach_alpha_by_hand():
    # position variances 0.3, 0.3, 0.2; totals 3,2,1,1,0 have variance 1.3
    positions = [Moments.of(row[i] for row in GRID) for i in range(3)]
    totals = Moments.of(sum(row) for row in GRID)
    assert totals.variance == pytest.approx(1.3)
    assert cronbach_alpha(positions, totals) == pytest.approx(100 * 1.5 * (1 - 0.8 / 1.3))  # 57.69


def test_alpha_is_undefined_without_spread_or_with_one_position():
    assert cronbach_alpha([Moments.of([1, 1])], Moments.of([1, 1])) is None
    assert cronbach_alpha([Moments.of([1, 1]), Moments.of([0, 0])], Moments.of([1, 1])) is None


@pytest.mark.parametrize(
    ("counts", "median"),
    [({100: 1, 66.67: 1, 33.33: 2, 0: 1}, 33.33), ({10: 1, 20: 1}, 15), ({5: 3}, 5), ({}, None)],
)
def test_median_from_counts(counts, median):
    assert median_from_counts(counts) == median


def test_sorted_pair_sum_matches_sorting_the_samples():
    xs = [0, 1, 0.5, 1, 0, 1]
    ys = [3, 1.5, 2, 0, 4, 2]
    expected = sum(x * y for x, y in zip(sorted(xs), sorted(ys), strict=True))

    def counts(values):
        out = {}
        for v in values:
            out[v] = out.get(v, 0) + 1
        return out

    assert sorted_pair_sum(counts(xs), counts(ys)) == pytest.approx(expected)
    with pytest.raises(ValueError):
        sorted_pair_sum({1: 2}, {1: 3})


def test_moments():
    m = Moments.of([2, 4, 4, 4, 5, 5, 7, 9])
    assert m.mean == 5 and m.variance == pytest.approx(32 / 7)
    assert Moments.of([3]).variance is None and Moments.of([]).mean is None


@pytest.mark.parametrize(
    ("stats", "codes"),
    [
        (ItemStatistics(100, 95, 20, 35, 50), ["very-easy"]),
        (ItemStatistics(100, 15, 30, 25, 40), ["very-hard"]),
        (ItemStatistics(100, 50, 50, -12, -20), ["negative"]),
        (ItemStatistics(100, 50, 50, 10, 20), ["weak"]),
        (ItemStatistics(100, 60, 49, 45, 60), []),
        (ItemStatistics(5, 95, 20, -30, -40), []),  # too few attempts to judge
    ],
)
def test_flags(stats, codes):
    assert [flag.code for flag in flags_for(stats)] == codes
