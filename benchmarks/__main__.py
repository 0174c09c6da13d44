"""The command line: run the benchmarks, print the table, write the JSON.

`python -m benchmarks` runs everything but the opt-in ones (what `make bench` does, several
minutes); `--all` adds those (the test suite's own wall time), `--only NAME` picks
benchmarks, `--quick` uses fewer repetitions (a smoke test: the numbers are then indicative
only), `--output` writes somewhere other than results/latest.json.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import BENCHMARKS, OPT_IN
from benchmarks.core import Options, Result, machine
from benchmarks.report import print_table, write_json

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "latest.json"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        choices=list(BENCHMARKS),
        help=f"run only these ({', '.join(BENCHMARKS)})",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help=f"also the opt-in benchmarks that take minutes ({', '.join(sorted(OPT_IN))})",
    )
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (smoke test)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="JSON file to write")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        for name, module in BENCHMARKS.items():
            doc = (importlib.import_module(module).__doc__ or "").strip().splitlines()[0]
            print(f"{name:<18} {doc}" + ("  [opt-in: --all]" if name in OPT_IN else ""))
        return 0
    options = Options(quick=args.quick)
    names = args.only or [n for n in BENCHMARKS if args.all or n not in OPT_IN]
    started = datetime.now(UTC)
    results: list[Result] = []
    runs: list[dict[str, object]] = []
    errors: dict[str, str] = {}
    info = machine()
    print(
        f"machine: {info['cpu_count']} cpus, python {info['python']}, {info['platform']}, "
        f"load {info.get('load_average')}",
        flush=True,
    )
    for name in names:
        print(f"[{name}] running…", flush=True)
        begun = time.perf_counter()
        run_started = datetime.now(UTC)
        try:
            module = importlib.import_module(BENCHMARKS[name])
            produced = module.run(options)
        except Exception:
            errors[name] = traceback.format_exc()
            print(f"[{name}] FAILED\n{errors[name]}", file=sys.stderr, flush=True)
            produced = []
        seconds = time.perf_counter() - begun
        runs.append(
            {
                "benchmark": name,
                "started": run_started.isoformat(timespec="seconds"),
                "seconds": round(seconds, 1),
                "results": [r.name for r in produced],
            }
        )
        for result in produced:
            print(
                f"[{name}] {result.name}: {result.checked:.3g} ({'pass' if result.passed else 'FAIL'})",
                flush=True,
            )
        results.extend(produced)
    finished = datetime.now(UTC)
    print()
    print_table(results)
    write_json(
        args.output,
        results,
        machine=info,
        options={"quick": args.quick, "only": names},
        started=started,
        finished=finished,
        runs=runs,
        errors=errors,
    )
    print(f"\nwritten to {args.output}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
