# gongzhi: `make demo` to try it, `make test` to check it. Everything installs into .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo and the tests run with DEBUG on and development keys; production sets real ones.
DEV_ENV := DEBUG=1

.PHONY: install demo serve test lint format bench vendor migrate clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e . 2>/dev/null || $(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(DEV_ENV) $(BIN)/gongzhi migrate --noinput

demo: migrate
	$(DEV_ENV) $(BIN)/gongzhi demo --if-empty
	$(DEV_ENV) $(BIN)/gongzhi reports_rollup
	$(DEV_ENV) $(BIN)/gongzhi demo_logins
	$(DEV_ENV) CARE_SIMULATE=$${CARE_SIMULATE:-1} $(BIN)/gongzhi serve $(HOST):$(PORT)

serve: migrate
	$(DEV_ENV) $(BIN)/gongzhi serve $(HOST):$(PORT)

test: install
	$(BIN)/pytest -n 2 --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy gongzhi config
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(DEV_ENV) $(BIN)/python -m bench.run

# Front-end libraries come from npm (pinned in package.json and its lock) and are copied
# into gongzhi/web/static/vendor, which is committed: Python-only users need no Node.
vendor:
	npm ci --no-audit --no-fund
	node scripts/vendor.mjs

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
