# Two commands are all a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

.PHONY: run serve install install-dev data test lint check ci bench clean

run: install data
	$(PY) manage.py collectstatic --noinput -v0
	$(VENV)/bin/gunicorn nanan_portal.wsgi --config gunicorn.conf.py

# Serve what is already installed and loaded, without touching the data.
serve:
	$(VENV)/bin/gunicorn nanan_portal.wsgi --config gunicorn.conf.py

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Fixtures are matched by natural key and loaded only when changed: a second run changes
# nothing, and corrections made in the admin are kept.
data: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py loadreports

# One worker per core (pytest-xdist); pytest alone runs in one process, for a file or a test.
test: install-dev
	$(PY) -m pytest -n auto

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: install-dev lint
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

ci: test check

# Speed at 100,000 records, next to Datasette on the same file; needs wrk (apt-get install wrk).
bench: install
	test -x bench/out/peer/bin/datasette || \
		($(PYTHON) -m venv bench/out/peer && bench/out/peer/bin/pip install --quiet datasette==0.65.5)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
