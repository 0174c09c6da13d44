"""The README screenshots, regenerated from the demo sandbox: `python -m scripts.screenshots`.

`shots` holds what each screenshot shows and how it is reached, `pilot` how an app is driven
and captured, `cli` the command line (render, spread over processes, `--check`).
"""
