"""`synctui sandbox`: serve simulators of the five vendor APIs on loopback.

Its parser is built only when this command is named; Starlette and the simulators are
imported only when it runs.
"""

from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(sb: argparse.ArgumentParser) -> None:
    """Fill `synctui sandbox` (its parser is made, with its one-line help, by the CLI)."""
    sb.add_argument("--host", default="127.0.0.1")
    sb.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    sb.add_argument("--seed", type=int, default=7)
    sb.add_argument("--scale", type=int, default=1, help="multiply the seeded sync counts")
    sb.add_argument(
        "--faults", default="", metavar="SPEC", help="e.g. 500=0.1,429=0.05,latency=50ms"
    )
    sb.add_argument("--changes-per-second", type=float, default=4.0, metavar="R")
    sb.add_argument("--frozen-clock", action="store_true", help="freeze time (screenshots)")
    sb.add_argument("--json", action="store_true", help="print the connection details as JSON")
    sb.set_defaults(handler=cmd_sandbox)


def cmd_sandbox(args: argparse.Namespace) -> int:
    from synctui.sandbox.core import SandboxConfig
    from synctui.sandbox.faults import FaultSpec, FaultSpecError

    try:
        faults = FaultSpec.parse(args.faults)
    except FaultSpecError as exc:
        sys.stderr.write(f"synctui: error: --faults: {exc}\n")
        return EXIT_USAGE
    if args.scale < 1 or args.changes_per_second < 0:
        sys.stderr.write("synctui: error: --scale must be ≥ 1 and --changes-per-second ≥ 0\n")
        return EXIT_USAGE
    from synctui.sandbox.server import Sandbox

    config = SandboxConfig(
        host=args.host,
        port=args.port,
        seed=args.seed,
        scale=args.scale,
        faults=faults,
        changes_per_second=args.changes_per_second,
        frozen=args.frozen_clock,
    )
    try:
        Sandbox(config).serve_forever(as_json=args.json)
    except OSError as exc:
        sys.stderr.write(
            f"synctui: error: cannot listen on {args.host}:{args.port}: {exc.strerror}\n"
        )
        return EXIT_FAILED
    return EXIT_OK
