# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
STAMP := $(VENV)/.installed-stamp

.PHONY: run test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

run: $(STAMP)  ## start the console on ./hotline.db (created and seeded on first run)
	$(VENV)/bin/seat-console

test: $(STAMP)  ## run the whole test suite (two workers; one file: .venv/bin/pytest FILE)
	$(VENV)/bin/pytest -q -n 2 --dist loadfile

bench: $(STAMP)  ## run the benchmarks and print their figures
	$(VENV)/bin/python bench/run.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
