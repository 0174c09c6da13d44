"""`python -m scripts.screenshots OUTDIR [--only NAME ...] [--check] [--jobs N] [--list]`."""

from scripts.screenshots.cli import main

raise SystemExit(main())
