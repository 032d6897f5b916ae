# Two commands are all a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

.PHONY: run serve install install-dev data test test-setup test-packages lint check ci bench profile clean draft-eval

run: install data
	$(PY) manage.py collectstatic --noinput -v0
	$(VENV)/bin/gunicorn nanan_portal.wsgi --config gunicorn.conf.py

# Draft the seed report from its text and compare with its hand-made fixture, then the
# made-up held-out texts of tests/drafting_texts with their annotations.
draft-eval: install
	$(PY) -m reforms.drafting.evaluate

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

# What the suite needs besides Python, each Debian package with the command or file that shows
# it is there: Chromium's headless shell and a CJK font for the browser tests (Playwright
# drives Debian's Chromium), gettext for the catalogue test, Java and npm for the Nu Html
# Checker. The one list; .ci/run relies on it.
TEST_PACKAGES := chromium-headless-shell=/usr/bin/chromium-headless-shell \
	fonts-noto-cjk=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
	gettext=msgfmt default-jre-headless=java npm=npm
VNU_JAR := node_modules/vnu-jar/build/dist/vnu.jar

# One worker per core (pytest-xdist); pytest alone runs in one process, for a file or a test.
# Compiled modules are kept (__pycache__) even where the environment asks Python not to write
# them: every worker and every manage.py the tests start would otherwise compile the project
# and rewrite the tests' asserts again, a second or more each.
test: test-setup
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n auto

test-setup: install-dev test-packages $(VNU_JAR)

# Installs what is missing when it can (as root, with apt-get), else stops with the command
# that would.
test-packages:
	@missing=""; \
	for pair in $(TEST_PACKAGES); do \
		probe=$${pair#*=}; \
		[ -e "$$probe" ] || command -v "$$probe" >/dev/null 2>&1 || missing="$$missing $${pair%%=*}"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then \
		echo "The tests need packages that are not installed. Run this, then make test again:"; \
		echo "    sudo apt-get update && sudo apt-get install -y$$missing"; \
		exit 1; \
	fi; \
	echo "Installing what the tests need with apt-get:$$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	apt-get update -qq && apt-get install -y -qq $$missing >/dev/null

# The checker's jar from npm, at the version package-lock.json pins. Its install script, which
# would download a Java runtime, is not run: Debian's Java runs it, and the tests need no network.
$(VNU_JAR): package.json package-lock.json | test-packages
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: install-dev lint
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

ci: test check

# Speed at 100,000 records as ratios to Datasette on the same file and to a static file, with a
# PostgreSQL column when PostgreSQL 15 is installed; needs wrk (apt-get install wrk). The
# databases, Datasette and gunicorn's logs are kept in BENCH_OUT.
BENCH_OUT ?= bench/out
export BENCH_OUT

bench: install
	test -x $(BENCH_OUT)/peer/bin/datasette || ($(PYTHON) -m venv $(BENCH_OUT)/peer && \
		$(BENCH_OUT)/peer/bin/pip install --quiet datasette==0.65.5)
	$(PY) bench/run.py

# The top of a sampling profile of each page the bench measures, on the bench's database.
profile: install-dev
	$(PY) bench/profiles.py

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache
