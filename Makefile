# The two commands a newcomer needs: `make demo` runs the product, `make test` the tests.
# Both set up the virtual environment first, so a fresh clone needs nothing else.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: demo test lint typecheck layers check bench-smoke clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Browser packages (Chart.js for the dashboard), exactly as package-lock.json pins them.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

demo: $(STAMP) $(NODE_STAMP)
	$(BIN)/sellerdesk demo

test: $(STAMP) $(NODE_STAMP) check
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

layers: $(STAMP)
	$(BIN)/lint-imports

# Static checks run before the tests, so `make test` fails on style, types and layering too.
check: lint typecheck layers
	$(BIN)/sellerdesk makemigrations --check --dry-run > /dev/null

bench-smoke: $(STAMP)
	@for bench in bench/*.py; do [ -e "$$bench" ] || continue; echo "== $$bench"; $(BIN)/python $$bench --smoke || exit 1; done

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
