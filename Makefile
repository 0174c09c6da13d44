# The two commands a newcomer needs: `make demo` and `make test`.
# Both create .venv on first use and reinstall only when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo serve test lint bench soak screenshots serve-screenshot clean sandbox

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/synctui --demo

serve: $(STAMP)
	$(BIN)/synctui serve --demo

sandbox: $(STAMP)
	$(BIN)/synctui sandbox

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --durations=15

# ruff, the import contracts (docs/ARCHITECTURE.md) and mypy on the layers below the faces
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH)

soak: $(STAMP)
	SYNCTUI_SOAK=1 $(BIN)/python -m pytest -q tests -k soak

screenshots: $(STAMP)
	$(BIN)/python -m scripts.screenshots screenshots

serve-screenshot: $(STAMP)
	$(BIN)/python -m scripts.serve_screenshot screenshots/serve-feed.png

clean:
	rm -rf $(VENV) build dist .pytest_cache
