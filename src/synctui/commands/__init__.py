"""Headless commands behind the CLI. None of them imports Textual."""
