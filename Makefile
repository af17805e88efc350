# Cairn: `make run` starts everything on the embedded defaults; `make test` runs the suite.
SHELL := /bin/bash
UV := python3 -m uv
RASA_VENV := .venv-rasa

.PHONY: run test setup lint format lock system-deps test-unit scale audit clean

run: setup ## start Rasa and the api, build what changed, stop all on Ctrl-C
	$(UV) run --frozen cairn run

test: setup system-deps ## the whole suite: unit, integration (PostgreSQL, Redis) and end to end
	$(UV) run --frozen cairn bot train
	$(UV) run --frozen cairn knowledge index
	$(UV) run --frozen cairn risk train
	$(UV) run --frozen pytest

test-unit: setup
	$(UV) run --frozen pytest tests/unit

lint: setup
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy

format: setup
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

setup: .venv/.synced $(RASA_VENV)/.synced ## both environments, created only when missing or stale

uv:
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet 'uv==0.13.9'

.venv/.synced: pyproject.toml uv.lock | uv
	@start=$$SECONDS; $(UV) sync --frozen && touch $@ && echo "service env ready in $$((SECONDS-start))s"

$(RASA_VENV)/.synced: bot/requirements.txt scripts/python310 | uv
	@start=$$SECONDS; \
	  [ -x $(RASA_VENV)/bin/python ] || $(UV) venv --quiet --python "$$(scripts/python310)" $(RASA_VENV); \
	  $(UV) pip sync --quiet --python $(RASA_VENV)/bin/python bot/requirements.txt && touch $@ \
	  && echo "rasa env (Python 3.10) ready in $$((SECONDS-start))s"

lock: | uv ## re-resolve both lock files
	$(UV) lock
	$(UV) pip compile bot/requirements.in --python-version 3.10 \
	  --python-platform x86_64-manylinux_2_28 --generate-hashes -q -o bot/requirements.txt \
	  --custom-compile-command "make lock"

system-deps: ## servers and the browser the tests start themselves (Debian packages), when missing
	@command -v redis-server >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }
	@command -v pg_ctl >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }
	@command -v nginx >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@[ -f tests/e2e/axe/node_modules/axe-core/axe.min.js ] || (cd tests/e2e/axe && npm ci --no-audit --no-fund --silent)

scale: setup system-deps ## the scale-out topology on loopback: PostgreSQL, Redis, Chroma server, 2 Rasa + 2 api behind nginx
	$(UV) run --frozen cairn bot train
	$(UV) run --frozen python -m tests.scale.topology

audit: .venv/.synced ## known vulnerabilities in both lock files (needs PyPI's vulnerability API; fails offline)
	@mkdir -p var; status=0; set -o pipefail; \
	  $(UV) export --frozen --no-hashes --no-emit-project --quiet \
	    | sed -E 's/^(torch==[^+;]+)\+cpu/\1/' > var/audit-service.txt || exit 1; \
	  echo "== service (uv.lock: $$(grep -c '==' var/audit-service.txt) pins)"; \
	  $(UV) run --frozen pip-audit --strict --progress-spinner off --no-deps --disable-pip \
	    -r var/audit-service.txt || status=1; \
	  echo "== rasa (bot/requirements.txt)"; \
	  $(UV) run --frozen pip-audit --strict --progress-spinner off --require-hashes --disable-pip \
	    -r bot/requirements.txt || status=1; \
	  [ $$status -eq 0 ] || echo "make audit: FAILED (a vulnerability, or the vulnerability service could not be reached)" >&2; \
	  exit $$status

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
