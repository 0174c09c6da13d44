"""The baseline for start-up: a bare Textual app that paints one static table.

Run as a script (`python benchmarks/bare_table.py`), never imported by the benchmarks, so its
process pays exactly what any Textual app pays: the interpreter, `textual.app`, the widgets,
the first layout and the first frame. The rows look like sync rows so both frames are alike.
"""

from textual.app import App, ComposeResult
from textual.widgets import DataTable

ROWS = 30


class BareTable(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Status", "Account", "Vendor", "Name", "Updated")
        for i in range(ROWS):
            table.add_row("● active", "bench-demo", "bench", f"BENCHROW {i:02d}", "2026-11-20")


if __name__ == "__main__":
    BareTable().run()
