"""How quickly qiappraise answers, against the floor of its own stack.

Measures, on this machine and in one run, the median wall time of:

* the floor: a bare typer app whose one command takes a list of paths and a
  ``--format`` option, run on one file. Since 0.17 typer builds pydantic
  adapters for the parameters of any command it runs, so this, not
  ``import typer``, is the least any command on this stack can cost;
* ``qiappraise --version``, ``qiappraise --help`` and ``qiappraise score FILE``.

Targets (issue 13): score within 1.5x the floor, --version and --help within
1.3x. Printed for context: ``python -c "import typer"`` (the floor of issue
7's targets), and the floor handling the garbage collector as
``qiappraise.cli.entry`` does, which shows how much of score's figure comes
from that alone.

    .venv/bin/python benchmarks/bench_startup.py [--runs 21]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def median_time(cmd: list[str], runs: int) -> float:
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # warm the caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    # An installed wheel runs from bytecode that pip compiled; a source checkout
    # may not have it (PYTHONDONTWRITEBYTECODE), so compile first to measure
    # what a user runs, not the compiler.
    import compileall

    compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "qiappraise"), quiet=1)
    exe = str(BIN / "qiappraise")
    example = str(ROOT / "examples" / "cypic.yaml")
    bare = (
        "from enum import Enum\nfrom pathlib import Path\nfrom typing import Annotated\n"
        "import typer\n"
        "class Format(str, Enum):\n    text = 'text'\n    json = 'json'\n"
        "app = typer.Typer()\n"
        "@app.command()\n"
        "def score(files: Annotated[list[Path], typer.Argument()],\n"
        "          format: Annotated[Format, typer.Option('--format', '-f')] = Format.text) -> None:\n"
        "    for f in files:\n        print(f, format.value)\n"
        "@app.command()\ndef other(x: int = 1) -> None: pass\n"
        "app()"
    )
    # The same app handling the garbage collector as qiappraise.cli.entry does
    # (off while importing, then frozen; frozen again at exit): context for
    # how much of score's figure that handling gives, which any app could do.
    frozen = "import gc\ngc.disable()\n" + bare.replace(
        "app()", "gc.freeze()\ngc.enable()\ntry:\n    app()\nfinally:\n    gc.freeze()"
    )
    cases = [
        ("a bare typer command (floor)", [sys.executable, "-c", bare, "score", example], None),
        (
            "  the same, handling gc as we do (context)",
            [sys.executable, "-c", frozen, "score", example],
            None,
        ),
        ("python -c 'import typer' (context)", [sys.executable, "-c", "import typer"], None),
        ("qiappraise --version", [exe, "--version"], 1.3),
        ("qiappraise --help", [exe, "--help"], 1.3),
        ("qiappraise score examples/cypic.yaml", [exe, "score", example], 1.5),
    ]
    floor = 0.0
    print(f"{'command':40} {'median (ms)':>12} {'x floor':>8} {'target':>7}")
    for name, cmd, target in cases:
        t = median_time(cmd, args.runs)
        if target is None and not floor:
            floor = t
        ratio = t / floor
        mark = "" if target is None else ("ok" if ratio <= target else "over")
        shown = "" if target is None else f"{target:.1f}x"
        print(f"{name:40} {t * 1000:12.1f} {ratio:8.2f} {shown:>7} {mark}")


if __name__ == "__main__":
    main()
