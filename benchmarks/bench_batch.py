"""Benchmark `qiappraise batch` against the floor of parsing the same files.

For each N it writes N varied synthetic proposals for the default rubric into
a temporary folder, then measures on those same files:

* parse-only: PyYAML's C loader reading every file, in one process (the floor);
* batch: `qiappraise batch DIR --json -` (stdout to /dev/null), wall time;
* peak memory: the largest resident set of the batch process or any worker
  (getrusage RUSAGE_CHILDREN, measured in a fresh wrapper process per run).

    .venv/bin/python benchmarks/bench_batch.py                 # 1000, 10000, 50000
    .venv/bin/python benchmarks/bench_batch.py --sizes 200     # a quick run
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from qiappraise.load.rubric import load_rubric
from qiappraise.rubric.read import DEFAULT_RUBRIC, find_rubric

WORDS = [
    "families",
    "children",
    "clinic",
    "ward",
    "discharge",
    "asthma",
    "referral",
    "audit",
    "handover",
    "nurses",
    "poverty",
    "school",
    "housing",
    "language",
    "waiting",
    "safety",
    "outcome",
    "pathway",
    "community",
    "data",
]

_PEAK = (
    "import resource, subprocess, sys\n"
    "with open(sys.argv[1], 'wb') as out:\n"
    "    code = subprocess.run(sys.argv[2:], stdout=out).returncode\n"
    "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _answer(q: Any, rng: random.Random) -> Any:
    if q.type in ("text", "long_text"):
        return _text(rng, rng.randint(5, 40 if q.type == "long_text" else 12))
    if q.type == "number":
        return rng.randint(0, 8)
    if q.type == "yes_no":
        return rng.random() < 0.5
    values = [c.value for c in q.choices_ if not c.exclusive or q.type != "multi"]
    if q.type == "multi":
        return rng.sample(values, rng.randint(1, min(3, len(values))))
    return rng.choice(values)


def generate(folder: Path, n: int, seed: int = 1) -> None:
    rubric = load_rubric(find_rubric(DEFAULT_RUBRIC)).rubric
    rng = random.Random(seed)
    for i in range(n):
        answers = {
            qid: _answer(q, rng) for qid, q in rubric.questions.items() if rng.random() < 0.9
        }
        data = {
            "rubric": {"id": rubric.id, "version": rubric.version},
            "project": {
                "title": f"Project {i}: {_text(rng, 6)}",
                "lead": f"Dr {rng.choice('ABCDEFGH')}. Trainee{i}",
                "setting": _text(rng, 5),
                "date": "2026-01-15",
            },
            "answers": answers,
        }
        sub = folder / f"group{i % 20:02}"
        sub.mkdir(exist_ok=True)
        (sub / f"proposal-{i:06}.yaml").write_text(
            yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )


def parse_only(folder: Path) -> float:
    files = sorted(folder.rglob("*.yaml"))
    start = time.perf_counter()
    for f in files:
        yaml.load(f.read_bytes(), Loader=yaml.CSafeLoader)
    return time.perf_counter() - start


def batch(folder: Path, jobs: int | None) -> tuple[float, int, int]:
    exe = Path(sys.executable).with_name("qiappraise")
    cmd = [str(exe), "batch", str(folder), "--json", "-"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _PEAK, os.devnull, *cmd],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    code, peak_kb = (int(x) for x in proc.stdout.split())
    return wall, code, peak_kb


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,50000", help="comma-separated N")
    ap.add_argument("--jobs", type=int, default=None, help="passed to batch (default: cores)")
    args = ap.parse_args()
    # An installed wheel runs from bytecode that pip compiled; a source checkout
    # may not have it (PYTHONDONTWRITEBYTECODE), so compile first to measure
    # what a user runs, not the compiler.
    import compileall

    compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "qiappraise"), quiet=1)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}  yaml C loader: {yaml.__with_libyaml__}"
    )
    print(
        f"{'N':>7} {'parse-only s':>13} {'batch s':>9} {'ratio':>6} {'peak MB':>8} {'ms/file':>8}"
    )
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="qiappraise-bench-") as tmp:
            folder = Path(tmp)
            generate(folder, n)
            parse_only(folder)  # warm the page cache, as the batch run will find it
            floor = parse_only(folder)
            wall, code, peak_kb = batch(folder, args.jobs)
            if code != 0:
                print(f"batch exited {code}", file=sys.stderr)
            print(
                f"{n:>7} {floor:>13.2f} {wall:>9.2f} {wall / floor:>6.2f} "
                f"{peak_kb / 1024:>8.1f} {1000 * wall / n:>8.3f}"
            )


if __name__ == "__main__":
    main()
