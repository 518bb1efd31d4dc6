# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
FIXTURES := fixtures/hebi-2016-blue-sky-plan.json fixtures/fujian-2024-export-industries-plan.json

.PHONY: run serve test install install-test browser office test-programs migrate seed fixtures clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test test-programs

# Programs the tests drive, installed from Debian when missing (one apt-get update for all):
# Chromium for the browser tests (Playwright never downloads a browser here); LibreOffice Calc
# and poppler-utils (pdfinfo, pdftotext, pdftoppm) for tests/exports/test_libreoffice.py;
# LibreOffice Writer, which converts .doc/.wps plans (tests/importers/test_reader.py); haproxy,
# the load balancer of tests/test_multihost.py (two app instances, a worker and beat on loopback).
browser office: test-programs
test-programs:
	@browser=; office=; \
	command -v chromium >/dev/null 2>&1 || browser=chromium; \
	{ command -v soffice && command -v pdfinfo; } >/dev/null 2>&1 || \
	  office="libreoffice-calc libreoffice-core poppler-utils"; \
	[ -e /usr/lib/libreoffice/program/libswlo.so ] || dpkg -s libreoffice-writer >/dev/null 2>&1 || \
	  office="$$office libreoffice-writer"; \
	command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || office="$$office haproxy"; \
	[ -z "$$browser$$office" ] || { \
	  echo "installing Debian's" $$browser $$office "for the tests"; \
	  apt-get update -qq && \
	  { [ -z "$$browser" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$browser fonts-noto-cjk >/dev/null; } && \
	  { [ -z "$$office" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$office fonts-noto-cjk >/dev/null; }; }

# A local .env for this machine: random SECRET_KEY, DEBUG on for the development server.
.env:
	@$(PYTHON) -c "import secrets; print('SECRET_KEY=' + secrets.token_urlsafe(50)); print('DEBUG=true')" > $@
	@echo "wrote .env (local settings; see .env.example)"

migrate: install .env
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py load_seed_plans $(FIXTURES)
	$(PY) manage.py demo_live
	$(PY) manage.py demo_accounts
	$(PY) manage.py demo_periods

run: seed
	@echo "打开 http://$(HOST):$(PORT)/admin/ 并用上面的演示账号登录 (open the admin and log in with the demo account above)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production-style on this machine: gunicorn with several workers (gunicorn.conf.py), static
# files collected and served by WhiteNoise, DEBUG off. Plain http without a proxy in front:
# `make serve SECURE=false`. HOST, PORT and WEB_CONCURRENCY come from the command line, the
# environment or .env (gunicorn.conf.py). With CELERY_BROKER_URL set, deploy/serve also starts a
# job worker and beat. See README "Running for a province".
serve: migrate
	$(PY) manage.py collectstatic --noinput -v0
	DEBUG=false deploy/serve

test: install-test
	$(VENV)/bin/ruff check --no-cache .
	$(PY) -m pytest

# Regenerate fixtures/ from seeds/ in a throw-away database.
fixtures: install .env
	@tmp=$$(mktemp -d); \
	DATABASE_URL=sqlite:///$$tmp/fixtures.sqlite3 $(PY) manage.py migrate --noinput -v0 && \
	DATABASE_URL=sqlite:///$$tmp/fixtures.sqlite3 $(PY) manage.py build_seed_fixtures; \
	status=$$?; rm -rf $$tmp; exit $$status

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles .pytest_cache
