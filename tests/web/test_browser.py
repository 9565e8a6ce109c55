"""The pages in a real browser: Debian's Chromium, headless, driven by Playwright, against gunicorn
on production settings (DEBUG off, hashed static files collected and served by whitenoise, secure
cookies; only the HTTPS redirect off, as behind a TLS proxy) with a database of its own.

A non-staff risk manager logs in through the login page, reads the overview, opens an account, halts
it with a reason, sees the audit entry, and the pre-trade check over REST is then rejected with
`trading_halted`; a viewer sees no kill switch and gets 403 on a forged POST; no page logs a console
error. The server, its database and the browser are started here and stopped by what they return.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import services_required

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "browser-test-pass-1"
IGNORED_STATIC = ("--ignore", "admin", "--ignore", "drf_spectacular_sidecar", "--ignore", "rest_framework")
TIMEOUT_MS = 15_000


def _unavailable(what: str) -> None:
    if services_required():
        pytest.fail(f"{what} is required for the browser tests (RISK_REQUIRE_SERVICES is set)")
    pytest.skip(f"{what} is not available")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Site:
    url: str
    token: str
    env: dict[str, str]
    log: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)


def _database(tmp: Path) -> tuple[str, Any]:
    """A database of the test's own (the suite's test database stays untouched): a SQLite file, or,
    when DATABASE_URL names PostgreSQL, a fresh database beside it; returns (url, cleanup)."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith("postgres"):
        return f"sqlite:///{tmp / 'browser.sqlite3'}", lambda: None
    import psycopg

    base, _, _ = configured.rpartition("/")
    name = f"rp_browser_e2e_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{base}/{name}", drop


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"Chromium ({CHROMIUM}; apt-get install chromium)")
    tmp = tmp_path_factory.mktemp("browser")
    database_url, drop_database = _database(tmp)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TZ"}}
    env |= {
        "DEBUG": "0",
        "SECRET_KEY": f"browser-tests-{uuid.uuid4().hex}-not-a-real-secret-key-xxxxxxxxxxxx",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",  # as behind a TLS proxy; everything else stays production
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(tmp / "static"),
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "CELERY_BROKER_URL": "memory://",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "RISK_PAGE_REFRESH_SECONDS": "1",  # the pages refresh themselves during the test
        "LOG_LEVEL": "WARNING",
    }
    if os.environ.get("REDIS_URL"):
        env |= {"REDIS_URL": os.environ["REDIS_URL"], "CACHE_KEY_PREFIX": f"browser-{uuid.uuid4().hex[:8]}"}
    log = tmp / "gunicorn.log"
    site = Site(url=f"http://localhost:{port}", token="", env=env, log=log)
    try:
        _run(env, "manage.py", "migrate", "--noinput")
        # Hashed and compressed as in production. The admin's and the API docs' bundles take a minute
        # and a half to compress and no page here uses them.
        _run(env, "manage.py", "collectstatic", "--noinput", *IGNORED_STATIC)
        site.token = json.loads(
            _run(env, str(ROOT / "tests" / "web" / "e2e_seed.py")).strip().splitlines()[-1]
        )["token"]
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [gunicorn, "riskplatform.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        site.processes.append(server)
        _wait_until_up(site)
        yield site
    finally:
        for process in site.processes:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        drop_database()


def _wait_until_up(site: Site) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if site.processes[0].poll() is not None:
            pytest.fail(f"gunicorn exited: {site.log.read_text()}")
        try:
            with urllib.request.urlopen(f"{site.url}/login/", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:  # refused, reset or timed out while the workers boot
            time.sleep(0.3)
    pytest.fail(f"gunicorn did not answer: {site.log.read_text()}")


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Console:
    """Every console error and uncaught exception of a page, and every failed request (but those the
    browser itself aborted because the page navigated away before they finished)."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("requestfailed", self._failed)
        page.on("response", lambda r: self.errors.append(f"{r.status}: {r.url}") if r.status >= 400 else None)

    def _failed(self, request: Any) -> None:
        if request.failure != "net::ERR_ABORTED":
            self.errors.append(f"request failed: {request.url} ({request.failure})")


def _log_in(page: Any, site: Site, username: str) -> None:
    page.goto(f"{site.url}/")
    assert "/login/" in page.url  # the site's own login, not the admin's
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.url}/")


def _check(site: Site) -> dict[str, Any]:
    order = {"account": "ACC-1", "symbol": "AAPL", "side": "buy", "quantity": "1", "price": "100"}
    request = urllib.request.Request(
        f"{site.url}/api/v1/checks/",
        data=json.dumps(order).encode(),
        headers={"Authorization": f"Token {site.token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200
        return dict(json.loads(answer.read()))


def test_a_risk_manager_halts_an_account_from_the_page_and_the_check_rejects(
    site: Site, browser: Any
) -> None:
    assert _check(site)["decision"] == "accepted"
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    console = Console(page)

    _log_in(page, site, "risk")
    assert page.text_content("h1") == "Firm overview"
    row = page.locator('#overview-table tr[data-code="ACC-1"]')
    assert "Active" in row.text_content()
    assert "VaR near max_var" in page.text_content("#alerts-table")
    page.click('#overview-table tr[data-code="ACC-1"] a')
    page.wait_for_url(f"{site.url}/accounts/ACC-1/")
    assert (
        page.locator('table.limits[data-scope="account:ACC-1"] tr[data-limit="max_gross_exposure"]').count()
        == 1
    )
    assert page.locator("svg.chart circle.exception").count() == 1
    page.wait_for_timeout(1500)  # one of the page's own refreshes

    page.fill("#ks-reason", "Runaway algo on AAPL")
    page.click("#kill-switch button[value=halted]")
    assert "Halt Account ACC-1?" in page.text_content("h1")
    assert page.text_content("#confirm-reason") == "Runaway algo on AAPL"
    page.click("#confirm-button")
    page.wait_for_url(f"{site.url}/accounts/ACC-1/")

    assert "Halted" in page.text_content("#account-state")
    audit = page.text_content("#audit-table")
    assert "Runaway algo on AAPL" in audit
    assert "risk" in audit
    assert "Halted" in audit
    answer = _check(site)
    assert answer["decision"] == "rejected"
    assert "trading_halted" in {v["code"] for v in answer["violations"]}

    page.goto(f"{site.url}/desks/DESK-1/")
    page.goto(f"{site.url}/password/")
    page.goto(f"{site.url}/")
    page.wait_for_timeout(1500)
    assert console.errors == []
    context.close()


def test_a_viewer_sees_no_kill_switch_and_a_forged_post_is_refused(site: Site, browser: Any) -> None:
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    console = Console(page)

    _log_in(page, site, "auditor")
    page.goto(f"{site.url}/accounts/ACC-1/")
    assert page.locator("#kill-switch").count() == 0
    assert page.get_by_text("Edit limits").count() == 0
    assert page.get_by_role("button", name="Acknowledge").count() == 0
    assert console.errors == []

    csrf = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
    forged = context.request.post(
        f"{site.url}/accounts/ACC-1/trading-state/",
        form={"state": "active", "reason": "let me trade", "confirm": "yes"},
        headers={"X-CSRFToken": csrf},
    )
    assert forged.status == 403
    page.reload()
    assert "Halted" in page.text_content("#account-state")  # as the risk manager left it
    context.close()
