"""Time the inter-rater accumulators against the floor of merely reading the ratings.

Synthetic data, seeded: PROJECTS projects x 3 raters x 40 questions, each
rating 0-4 (a true score per question, each rater off by at most one point,
some ratings missing). Each (project, question) is one unit. On the same data,
in one process, it measures:

* two floors: a loop that visits every unit and touches its three ratings,
  the least any accumulator fed from Python could cost, and the same loop
  calling a method that does nothing, the least an ``add(unit)`` API costs;
* PairTable (raters 1 and 2), FleissTable and IccSums, filled unit by unit,
  then the time to compute their statistics from the filled accumulator;
* the accumulators' sizes once filled, which do not grow with the number of
  units (flat memory).

No targets and no assertions: it prints figures to compare between runs.

    .venv/bin/python benchmarks/bench_interrater.py                  # 10,000 projects
    .venv/bin/python benchmarks/bench_interrater.py --projects 1000  # a quick run
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from qiappraise.raters.interrater import FleissTable, IccSums, PairTable

QUESTIONS = 40
RATERS = 3
MISSING = 0.02  # share of ratings left blank

Unit = tuple[int | None, int | None, int | None]


def make_units(projects: int, seed: int) -> list[Unit]:
    rng = random.Random(seed)
    units: list[Unit] = []
    for _ in range(projects * QUESTIONS):
        truth = rng.randint(0, 4)
        ratings = [
            None if rng.random() < MISSING else min(4, max(0, truth + rng.choice((-1, 0, 0, 1))))
            for _ in range(RATERS)
        ]
        units.append((ratings[0], ratings[1], ratings[2]))
    return units


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The fastest of ``runs`` timings: the least disturbed by the rest of the machine."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--projects", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3, help="timings per figure; the best is shown")
    ap.add_argument("--seed", type=int, default=2024)
    args = ap.parse_args()

    units = make_units(args.projects, args.seed)
    print(
        f"{args.projects:,} projects x {RATERS} raters x {QUESTIONS} questions = "
        f"{len(units):,} units, {len(units) * RATERS:,} ratings"
    )

    def floor() -> int:
        seen = 0
        for first, second, third in units:
            if first is not None and second is not None and third is not None:
                seen += 1
        return seen

    def fill_pairs() -> PairTable:
        table = PairTable()
        for first, second, _third in units:
            table.add(first, second)
        return table

    def fill_fleiss() -> FleissTable:
        table = FleissTable()
        for unit in units:
            table.add(unit)
        return table

    def fill_icc() -> IccSums:
        sums = IccSums()
        for unit in units:
            sums.add(unit)
        return sums

    class Nothing:
        def add(self, unit: Unit) -> None:
            pass

    def call_floor() -> None:
        sink = Nothing()
        for unit in units:
            sink.add(unit)

    floor_time = best_of(args.runs, floor)
    print(f"{'floor (visit every unit)':<34} {floor_time:8.3f} s   1.0x")
    call_time = best_of(args.runs, call_floor)
    print(
        f"{'floor (an add() that does nothing)':<34} {call_time:8.3f} s {call_time / floor_time:5.1f}x"
    )
    pairs, fleiss, icc = fill_pairs(), fill_fleiss(), fill_icc()
    rows = [
        (
            "PairTable.add (raters 1 and 2)",
            fill_pairs,
            lambda: (pairs.kappa(), pairs.weighted_kappa(range(5))),
        ),
        ("FleissTable.add", fill_fleiss, fleiss.kappa),
        ("IccSums.add", fill_icc, icc.icc),
    ]
    for name, fill, finish in rows:
        fill_time = best_of(args.runs, fill)
        finish_time = statistics.median(best_of(1, finish) for _ in range(args.runs))
        print(
            f"{name:<34} {fill_time:8.3f} s {fill_time / floor_time:5.1f}x"
            f"   then the statistic: {finish_time * 1000:7.2f} ms"
        )

    print(
        f"\nfilled sizes: PairTable {len(pairs.counts)} cells; FleissTable "
        f"{len(fleiss.category_ratings)} category counts + {len(fleiss.agreeing_pairs)} pair counts; "
        f"IccSums {len(icc.columns)} column sums (the same for any number of projects)"
    )
    print(f"Cohen's kappa, raters 1-2:   {pairs.kappa().value:.4f}")
    print(f"weighted kappa, raters 1-2:  {pairs.weighted_kappa(range(5)).value:.4f}")
    print(f"Fleiss' kappa:               {fleiss.kappa().value:.4f}")
    result = icc.icc()
    print(
        f"ICC(2,1):                    {result.value:.4f} [{result.ci_low:.4f}, {result.ci_high:.4f}]"
    )


if __name__ == "__main__":
    main()
