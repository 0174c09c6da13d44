"""The command line of the screenshot generator: render every screenshot (spread over
processes), write PNGs where wanted, or `--check` the committed files against a fresh render.

    python -m scripts.screenshots OUTDIR [--only NAME ...] [--check] [--jobs N] [--list]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from scripts.screenshots.pilot import normalize_svg
from scripts.screenshots.shots import REGENERATE, SHOTS, Shot, Studio, pinned_environment


def has_rsvg() -> bool:
    return shutil.which("rsvg-convert") is not None


def write_png(svg_path: Path) -> None:
    """A PNG next to the SVG. Rich writes spaces as &#160; at the start of text runs, which
    librsvg drops unless told to preserve whitespace; browsers (and GitHub) do not need it."""
    svg = svg_path.read_text(encoding="utf-8").replace(
        '<svg class="rich-terminal"', '<svg xml:space="preserve" class="rich-terminal"', 1
    )
    with tempfile.NamedTemporaryFile("w", suffix=".svg", delete=False, encoding="utf-8") as tmp:
        tmp.write(svg)
    try:
        subprocess.run(
            ["rsvg-convert", "-o", str(svg_path.with_suffix(".png")), tmp.name],
            check=True,
            capture_output=True,
        )
    finally:
        os.unlink(tmp.name)


async def _render(names: Sequence[str], outdir: Path, quiet: bool) -> None:
    studio = Studio()
    try:
        for name in names:
            started = time.perf_counter()
            svg = await SHOTS[name].render(studio)
            path = outdir / f"{name}.svg"
            path.write_text(svg, encoding="utf-8")
            if not quiet:
                print(f"{path} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    finally:
        studio.close()


def render_group(names: Sequence[str], outdir: str, quiet: bool) -> None:
    """Render `names` in this process, one after the other, with pins of its own."""
    with (
        tempfile.TemporaryDirectory(prefix="synctui-screenshots-") as scratch,
        pinned_environment(Path(scratch)),
    ):
        asyncio.run(_render(names, Path(outdir), quiet))


def partition(shots: Sequence[Shot], jobs: int) -> list[list[str]]:
    """Longest first onto the least loaded process: the feed viewer alone takes about as
    long as half of the rest."""
    groups: list[tuple[float, list[str]]] = [(0.0, []) for _ in range(max(1, jobs))]
    for item in sorted(shots, key=lambda s: -s.cost):
        load, names = min(groups, key=lambda g: g[0])
        groups[groups.index((load, names))] = (load + item.cost, [*names, item.name])
    return [names for _load, names in groups if names]


def render(shots: Sequence[Shot], outdir: Path, jobs: int, quiet: bool) -> None:
    """Every screenshot into `outdir`, spread over `jobs` processes (each its own sandbox
    and app; a screenshot never depends on which process or order rendered it)."""
    groups = partition(shots, jobs)
    if len(groups) == 1:
        render_group(groups[0], str(outdir), quiet)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(len(groups), mp_context=context) as pool:
        futures = [pool.submit(render_group, names, str(outdir), quiet) for names in groups]
        for future in futures:
            future.result()


def stale_files(rendered: Path, committed: Path, shots: Sequence[Shot], full: bool) -> list[str]:
    """Names of committed SVGs that differ from (or are missing next to) the rendered ones;
    with a full run, also SVGs in the folder that no screenshot makes any more."""
    stale = []
    for item in shots:
        name = f"{item.name}.svg"
        mine = committed / name
        fresh = (rendered / name).read_text(encoding="utf-8")
        if not mine.exists():
            stale.append(f"{name} (missing)")
        elif normalize_svg(mine.read_text(encoding="utf-8")) != fresh:
            stale.append(name)
    if full:
        known = {f"{s.name}.svg" for s in shots}
        stale += [f"{p.name} (no longer made)" for p in sorted(committed.glob("*.svg"))
                  if p.name not in known]  # fmt: skip
    return stale


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.screenshots",
        description="Regenerate the README screenshots from the demo sandbox.",
    )
    parser.add_argument(
        "outdir",
        type=Path,
        nargs="?",
        default=Path("screenshots"),
        help="folder of the screenshots (default: screenshots)",
    )
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", choices=sorted(SHOTS), help="just these"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="render into a temporary folder and list the files in OUTDIR that are stale",
    )
    parser.add_argument(
        "--list", action="store_true", help="name and content of every screenshot, then exit"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=min(2, os.cpu_count() or 1),
        metavar="N",
        help="processes to render in (default: 2, or 1 on a single core)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    shots = [SHOTS[n] for n in args.only] if args.only else list(SHOTS.values())
    if args.list:
        for item in shots:
            print(f"{item.name + '.svg':34} {item.shows}")
        return 0
    started = time.perf_counter()
    if args.check:
        with tempfile.TemporaryDirectory(prefix="synctui-screenshots-") as scratch:
            rendered = Path(scratch)
            render(shots, rendered, args.jobs, quiet=True)
            stale = stale_files(rendered, args.outdir, shots, full=not args.only)
        if stale:
            print(
                f"{len(stale)} screenshot(s) in {args.outdir} are stale:\n  "
                + "\n  ".join(stale)
                + f"\nregenerate them with `{REGENERATE}` and look at them before committing",
                file=sys.stderr,
            )
            return 1
        print(f"{len(shots)} screenshots in {args.outdir} are up to date", file=sys.stderr)
        return 0
    args.outdir.mkdir(parents=True, exist_ok=True)
    render(shots, args.outdir, args.jobs, quiet=False)
    if has_rsvg():
        for item in shots:
            if item.png:
                write_png(args.outdir / f"{item.name}.svg")
    elapsed = time.perf_counter() - started
    print(f"{len(shots)} screenshots in {elapsed:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
