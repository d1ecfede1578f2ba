"""Benchmark `qiappraise agreement` on a cohort of projects with three raters each.

For each number of projects it writes, into a temporary folder, three
appraisals per project derived from the bundled examples (each project
starts from one example; each rater changes a few answers at random):

* ``self/pNNNNN.yaml``: the team's self-appraisal, with ``project.id``;
* ``reviews/pNNNNN.supervisor.yaml``: a supervisor's review, linked by ``reviews.file``;
* ``peers/pNNNNN.peer.yaml``: a peer's appraisal, linked by ``project.id``.

It then measures, on those same files:

* parse-only: PyYAML's C loader reading every file, in one process (the floor);
* agreement: ``qiappraise agreement DIR --format json`` (stdout to /dev/null), wall time;
* peak memory of that process (getrusage RUSAGE_CHILDREN in a fresh wrapper).

Seeded, so two runs write the same cohort. No targets and no assertions: it
prints figures to compare between runs.

    .venv/bin/python benchmarks/bench_agreement.py                       # 1,000 and 10,000 projects
    .venv/bin/python benchmarks/bench_agreement.py --projects 200 --seed 7
"""

from __future__ import annotations

import argparse
import copy
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from bench_batch import _answer, parse_only  # the batch benchmark's floor and answers

from qiappraise.load.rubric import load_rubric
from qiappraise.rubric.read import DEFAULT_RUBRIC, find_rubric

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
#: Answers each rater changes from the example the project starts from.
VARIED = 3
RATERS = (("self", "self"), ("supervisor", "reviews"), ("peer", "peers"))


def _vary(data: dict[str, Any], questions: list[Any], rng: random.Random) -> dict[str, Any]:
    out = copy.deepcopy(data)
    answers = out.setdefault("answers", {})
    for q in rng.sample(questions, VARIED):
        answers[q.id] = _answer(q, rng)
    return out


def generate(folder: Path, projects: int, seed: int = 1) -> int:
    """Write the cohort; returns the number of files written."""
    rubric = load_rubric(find_rubric(DEFAULT_RUBRIC)).rubric
    # Numbers and choices only: a changed text answer changes nothing agreement measures.
    questions = [q for q in rubric.questions.values() if q.type not in ("text", "long_text")]
    bases = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.yaml"))]
    rng = random.Random(seed)
    for _, sub in RATERS:
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for i in range(projects):
        base = bases[i % len(bases)]
        name = f"p{i:05}"
        for role, sub in RATERS:
            data = _vary(base, questions, rng)
            data["project"]["id"] = name
            if role != "self":
                data["rater"] = {"name": f"Dr {rng.choice('ABCDEFGH')}. Rater", "role": role}
                data.pop("comments", None)
            if role == "supervisor":
                del data["project"]["id"]  # linked by the file it reviews instead
                data["reviews"] = {"file": f"../self/{name}.yaml"}
            suffix = "" if role == "self" else f".{role}"
            (folder / sub / f"{name}{suffix}.yaml").write_text(
                yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8"
            )
    return projects * len(RATERS)


#: Runs a command with stdout to a file, then prints its exit code, wall time
#: and peak memory (KB): timed inside the wrapper, so its own start-up is not counted.
_TIMED = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "with open(sys.argv[1], 'wb') as out:\n"
    "    code = subprocess.run(sys.argv[2:], stdout=out).returncode\n"
    "wall = time.perf_counter() - start\n"
    "print(code, wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def agreement(folder: Path) -> tuple[float, int, int]:
    """Wall time, exit code and peak memory (KB) of `agreement --format json` on ``folder``."""
    exe = Path(sys.executable).with_name("qiappraise")
    cmd = [str(exe), "agreement", str(folder), "--format", "json"]
    out = subprocess.check_output(
        [sys.executable, "-c", _TIMED, os.devnull, *cmd], stderr=subprocess.DEVNULL, text=True
    )
    code, wall, peak_kb = out.split()
    return float(wall), int(code), int(peak_kb)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", default="1000,10000", help="comma-separated projects")
    parser.add_argument("--seed", type=int, default=1, help="seed for the answers varied")
    args = parser.parse_args()
    import compileall

    # As bench_batch: measure what a user runs, not the bytecode compiler.
    compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "qiappraise"), quiet=1)
    print(
        f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}  "
        f"yaml C loader: {yaml.__with_libyaml__}  raters per project: {len(RATERS)}"
    )
    print(
        f"{'projects':>8} {'files':>6} {'parse-only s':>13} {'agreement s':>12} "
        f"{'ratio':>6} {'peak MB':>8} {'ms/file':>8}"
    )
    for n in (int(s) for s in args.projects.split(",")):
        with tempfile.TemporaryDirectory(prefix="qiappraise-bench-agreement-") as tmp:
            folder = Path(tmp)
            files = generate(folder, n, args.seed)
            parse_only(folder)  # warm the page cache, as the agreement run will find it
            floor = parse_only(folder)
            wall, code, peak_kb = agreement(folder)
            if code != 0:
                print(f"agreement exited {code}", file=sys.stderr)
            print(
                f"{n:>8} {files:>6} {floor:>13.2f} {wall:>12.2f} {wall / floor:>6.2f} "
                f"{peak_kb / 1024:>8.1f} {1000 * wall / files:>8.3f}"
            )


if __name__ == "__main__":
    main()
