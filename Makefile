# Every target that needs Python creates .venv from requirements.lock first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
UV_VERSION := 0.13.9

.PHONY: setup validate export check-exports test test-fast lint types imports docs docs-check schemas-check check bench clean lock browser review screenshots spark

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q "uv==$(UV_VERSION)"
	$(VENV)/bin/uv pip install -q --compile-bytecode --python $(PY) -r requirements.lock
	$(VENV)/bin/uv pip install -q --python $(PY) --no-deps -e .
	touch $(STAMP)

lock: setup  ## re-resolve requirements.lock and requirements-spark.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --extra cluster --python-version 3.11 --no-header -o requirements.lock
	$(VENV)/bin/uv pip compile requirements-spark.in --python-version 3.11 --no-header -o requirements-spark.lock

SPARK := $(VENV)/spark
SPARK_STAMP := $(SPARK)/.installed-stamp

# pyspark is no dev dependency: pandera imports pyspark.pandas wherever pyspark is importable,
# which slows every validation and warns on stderr. So it lives apart, in $(SPARK), and the
# Spark test runs it in a process of its own with $(SPARK) on PYTHONPATH (Java 17 or later).
spark: $(SPARK_STAMP)

$(SPARK_STAMP): requirements-spark.lock $(STAMP)
	rm -rf $(SPARK)
	$(VENV)/bin/uv pip install -q --python $(PY) --target $(SPARK) -r requirements-spark.lock
	touch $(SPARK_STAMP)

validate: setup
	$(VENV)/bin/toolkit validate

export: setup
	$(VENV)/bin/toolkit export

check-exports: setup
	$(VENV)/bin/toolkit export --check

test: setup browser spark
	$(PY) -m pytest -q

CHROMIUM ?= /usr/bin/chromium

# The browser tests drive the system Chromium. Where it is absent, root installs Debian's
# package without asking; anyone else is told, and the tests skip (under CI=true they fail).
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    { apt-get install -y -q chromium </dev/null || \
	      { apt-get update -q </dev/null && apt-get install -y -q chromium </dev/null; }; } \
	      >/dev/null || echo "chromium could not be installed: the browser tests will skip"; \
	  else \
	    echo "no $(CHROMIUM) (apt-get install chromium as root): the browser tests will skip"; \
	  fi; \
	fi

review: setup  ## the review site of the dataset in build/review/
	$(VENV)/bin/toolkit review --out build/review

screenshots: setup browser  ## docs/review-article.png and docs/review-canonical.png
	$(PY) tests/screenshots.py

test-fast: setup  ## every test not marked slow: the inner loop
	$(PY) -m pytest -q -m "not slow"

lint: setup
	$(VENV)/bin/ruff check toolkit tests bench examples
	$(VENV)/bin/ruff format --check toolkit tests bench examples
	$(VENV)/bin/actionlint .github/workflows/*.yml

types: setup
	$(VENV)/bin/mypy

imports: setup  ## the import contract of toolkit/ (pyproject.toml, [tool.importlinter])
	$(VENV)/bin/lint-imports

docs: setup
	$(PY) -m toolkit.docs --write
	$(PY) bench/run.py docs

docs-check: setup
	$(PY) -m toolkit.docs --check
	$(PY) bench/run.py docs --check

schemas-check: setup  ## every released version's SemVer step matches its compatibility verdict
	$(VENV)/bin/toolkit schema check

check: lint types imports schemas-check test docs-check check-exports

BENCH_RECORDS ?= 1000000

bench: setup  ## the scale benchmark (about 20 minutes at 1,000,000 records on 2 cores)
	$(PY) bench/run.py --records $(BENCH_RECORDS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis bench/corpus build *.egg-info
