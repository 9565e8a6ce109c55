# riskplatform: `make demo` runs the platform with demo data; `make test` runs lint, types and tests.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(PYTHON) -m uv
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# The embedded defaults of the demo: SQLite, tasks in-process, email to the console.
DEMO_ENV := DEBUG=1 DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3 REDIS_URL= CELERY_TASK_ALWAYS_EAGER=1 \
	EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend

.PHONY: install demo test lint typecheck djangochecks pytest serve worker beat migrate clean

$(BIN)/python: pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.5"
	$(UV) sync --frozen
	@touch $(BIN)/python

install: $(BIN)/python

demo: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py load_demo
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: /admin/, API: /api/v1/, docs: /api/v1/docs/)"
	$(DEMO_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	DEBUG=1 $(BIN)/mypy .

# Production settings pass the deploy checklist, models and migrations agree, the schema is clean.
PROD_ENV := DEBUG=0 SECRET_KEY=check-deploy-only-$$(date +%s)-a-long-random-enough-value-xxxxxxxxxxxxxxxx \
	ALLOWED_HOSTS=risk.example.com
djangochecks: install
	$(PROD_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=1 $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

# PYTEST_ARGS: a subset (paths, -k), e.g. make pytest PYTEST_ARGS=tests/limits
pytest: install
	$(BIN)/pytest --create-db $(PYTEST_ARGS)

test: lint typecheck djangochecks pytest

# Production: gunicorn behind a TLS proxy, plus a Celery worker and beat, on PostgreSQL and Redis.
# Needs SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL (and EMAIL_* for alerts) in the environment.
WORKERS ?= 2
serve: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/gunicorn riskplatform.wsgi:application --preload --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile -

worker: install
	$(BIN)/celery -A riskplatform worker --loglevel=INFO

beat: install
	$(BIN)/celery -A riskplatform beat --loglevel=INFO

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles sent-emails .mypy_cache .ruff_cache
