# Two commands on a fresh machine: `make app` and `make test`. Both build .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: app test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Listens on 127.0.0.1 only, never shows a traceback, takes uploads of at most 10 MB (as
# .streamlit/config.toml says); docs/deploying.md explains serving it to a team.
app: $(STAMP)
	$(BIN)/streamlit run app.py --server.headless true --server.address 127.0.0.1 \
		--server.port 8501 --server.maxUploadSize 10 --client.showErrorDetails false \
		--browser.gatherUsageStats false --server.fileWatcherType none --client.toolbarMode minimal \
		-- examples/thurrock-2017.yaml

# --dist loadfile: one worker runs all of a test file, so a file's module-scoped fixtures (the
# LibreOffice recalculations) run once, not once on each worker. The package is byte-compiled
# first, as an installed copy is: an editable checkout under PYTHONDONTWRITEBYTECODE compiles
# every module again in each of the suite's hundreds of `appraise` runs.
test: $(STAMP)
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m compileall -q appraise
	$(BIN)/python -m pytest -q -n auto --dist loadfile

bench: $(STAMP)
	$(BIN)/python benchmarks/_run.py

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts
