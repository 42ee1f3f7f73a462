"""The plan names its seeds as --seeds reads them: runs of three or more as ranges, so a long
sweep prints as one short line that can be pasted back."""

from hypothesis import given
from hypothesis import strategies as st

from gan_bench.cli.app import as_ranges, ints
from gan_bench.defaults import MAX_SEED


def test_consecutive_seeds_print_as_ranges_and_short_runs_as_single_values():
    assert as_ranges([0]) == "0"
    assert as_ranges([0, 1]) == "0,1"
    assert as_ranges([0, 1, 2]) == "0-2"
    assert as_ranges(list(range(1000))) == "0-999"
    assert as_ranges([0, 1, 2, 5, 7, 8, 9, 10, 12]) == "0-2,5,7-10,12"
    assert as_ranges([]) == ""


@given(st.sets(st.integers(0, 60), min_size=1))
def test_what_the_plan_prints_reads_back_as_the_same_seeds(seeds):
    seeds = sorted(seeds)
    assert ints(as_ranges(seeds), "--seeds", MAX_SEED) == seeds
