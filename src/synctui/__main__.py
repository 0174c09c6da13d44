"""Allows `python -m synctui`."""

from synctui.cli import main

raise SystemExit(main())
