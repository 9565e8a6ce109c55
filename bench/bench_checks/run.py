"""Start gunicorn (production settings, 2 workers) on PostgreSQL + Redis, load it with wrk, print a table.

Side by side in one server run: GET /api/v1/accounts/{code}/ (authenticated one-row read) and
POST /api/v1/checks/, at 8 and 32 connections, orders spread over 100 accounts x 50 symbols.
Run setup_data.py first. Loopback only; every wrk run is bounded (--duration); gunicorn is stopped
at the end (also on error).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rp_bench REDIS_URL=redis://127.0.0.1:6379/9 \
        .venv/bin/python bench/bench_checks/run.py --duration 15
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Outside the repository: the token of a local bench user must not be committed.
TOKEN_FILE = Path(os.environ.get("BENCH_TOKEN_FILE", "/tmp/rp_bench_checks.token"))
ROOT = HERE.parent.parent
PORT = 8011


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-not-for-production-0123456789",
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
    )
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not env.get(name):
            sys.exit(f"{name} must be set (PostgreSQL and Redis)")
    return env


def wait_ready(token: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/api/v1/accounts/BENCH-000/", headers={"Authorization": f"Token {token}"}
    )
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not become ready")


def reset_reservations(env: dict[str, str]) -> None:
    """Start every run from the same state: no decisions, no open reservations (nor their totals)."""
    subprocess.run(
        [
            str(ROOT / ".venv/bin/python"),
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'riskplatform.settings');"
            "django.setup();"
            "from django.db import connection;"
            "from limits.models import CheckDecision, ReservationTotal;"
            "CheckDecision.objects.filter(account__code__startswith='BENCH-').delete();"
            "ReservationTotal.objects.filter(account__code__startswith='BENCH-').delete();"
            "connection.cursor().execute('VACUUM ANALYZE limits_reservationtotal')",
        ],
        env={**env, "DEBUG": "1"},
        cwd=ROOT,
        check=True,
    )


def wrk(
    script: str, connections: int, duration: int, token: str, threads: int, path: str | None = None
) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "5s",
            "-s",
            str(HERE / script),
            f"http://127.0.0.1:{PORT}",
        ],
        env={**os.environ, "BENCH_TOKEN": token, **({"BENCH_PATH": path} if path else {})},
        capture_output=True,
        text=True,
        timeout=duration + 60,
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {out.stdout}\n{out.stderr}")
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=15, help="seconds per measured wrk run")
    parser.add_argument("--connections", default="8,32")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--server-threads", type=int, default=1, help="gunicorn --threads (>1: gthread)")
    parser.add_argument(
        "--ceiling",
        action="store_true",
        help="also POST /bench/lock-and-store/: the check's lock and insert alone (ceiling.py)",
    )
    args = parser.parse_args()
    token = TOKEN_FILE.read_text().strip()
    env = server_env()
    reset_reservations(env)
    extra = []
    if args.ceiling:
        env["DJANGO_SETTINGS_MODULE"] = "ceiling"
        extra = ["--pythonpath", str(HERE)]
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "riskplatform.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{PORT}",
            "--backlog",
            "256",
            "--log-level",
            "warning",
            "--threads",
            str(args.server_threads),
            *extra,
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    rows = []
    try:
        wait_ready(token)
        wrk("read.lua", 8, 3, token, args.threads)  # warm both workers' caches and connections
        wrk("checks.lua", 8, 3, token, args.threads)
        endpoints = [("GET /accounts/{code}/", "read.lua", None), ("POST /checks/", "checks.lua", None)]
        if args.ceiling:
            endpoints.append(("POST lock-and-store", "checks.lua", "/bench/lock-and-store/"))
        for connections in [int(c) for c in args.connections.split(",")]:
            for name, script, path in endpoints:
                result = wrk(script, connections, args.duration, token, args.threads, path)
                rows.append((name, connections, result))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    kind = "sync" if args.server_threads == 1 else f"gthread x{args.server_threads}"
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"gunicorn -w {args.workers} ({kind}), wrk -t{args.threads}, {args.duration}s per run")
    print(f"load average at the end: {' '.join(load)} (shared machine)")
    print(
        f"{'endpoint':24} {'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'non-2xx':>8}"
    )
    for name, connections, r in rows:
        print(
            f"{name:24} {connections:>5} {r['rps']:>9.1f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} "
            f"{r['max_ms']:>8.2f} {int(r['non2xx']):>8}"
        )
    by = {(n, c): r for n, c, r in rows}
    for connections in sorted({c for _, c, _ in rows}):
        read = by[("GET /accounts/{code}/", connections)]
        for name in ("POST /checks/", "POST lock-and-store"):
            if (name, connections) in by:
                ratio = by[(name, connections)]["rps"] / read["rps"]
                print(f"{connections} connections: {name} throughput = {ratio:.2f} x the read's")


if __name__ == "__main__":
    main()
