"""Settings are complete and strict: every setting the code reads is defined in riskplatform/settings.py
and documented in the README, and a variable that does not parse stops start-up."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import global_settings

import riskplatform.settings as project_settings

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_SOURCE = (ROOT / "riskplatform" / "settings.py").read_text()
APPS = ("accounts", "positions", "limits", "analytics", "riskplatform")


def _variables(helper: str) -> list[str]:
    return sorted(set(re.findall(rf'{helper}\(\s*"([A-Z0-9_]+)"', SETTINGS_SOURCE)))


BOOLEANS = _variables("env_bool")
INTEGERS = _variables("env_int")
ALL_VARIABLES = sorted({*re.findall(r'(?:env_\w+|os\.environ\.get)\(\s*"([A-Z0-9_]+)"', SETTINGS_SOURCE)})


def _import_settings(**variables: str) -> subprocess.CompletedProcess[str]:
    """Import the settings module in a fresh interpreter with these variables on top of a valid setup."""
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "SYSTEMROOT"}}
    env |= {"DEBUG": "1", "SECRET_KEY": "tests-only", **variables}
    return subprocess.run(
        [sys.executable, "-c", "import riskplatform.settings as s; print(s.DEBUG)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _assert_refused(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode != 0, result.stdout
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured:"), result.stderr
    for text in expected:
        assert text in last_line


def test_the_helpers_are_found_in_the_settings_source() -> None:
    # Guards the regular expressions above: the parametrized tests below would pass vacuously.
    assert {"DEBUG", "EMAIL_USE_TLS", "SECURE_SSL_REDIRECT", "CELERY_TASK_ALWAYS_EAGER"} <= set(BOOLEANS)
    assert {"DB_CONN_MAX_AGE", "EMAIL_PORT", "RISK_REPORT_HOUR", "RISK_RESERVATION_TTL_SECONDS"} <= set(
        INTEGERS
    )


@pytest.mark.parametrize("name", BOOLEANS)
def test_an_unknown_boolean_value_stops_start_up_naming_the_variable_and_the_accepted_values(
    name: str,
) -> None:
    # SECURE_SSL_REDIRECT is read only with DEBUG off.
    result = _import_settings(**({"DEBUG": "0"} if name != "DEBUG" else {}), **{name: "maybe"})

    _assert_refused(result, f"{name}='maybe'", "1, true, yes, on", "0, false, no, off")


@pytest.mark.parametrize("name", INTEGERS)
def test_an_integer_that_does_not_parse_stops_start_up(name: str) -> None:
    # SECURE_HSTS_SECONDS is read only with DEBUG off.
    result = _import_settings(DEBUG="0", **{name: "12abc"})

    _assert_refused(result, f"{name}='12abc'", "whole number")


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("RISK_REPORT_HOUR", "24", "from 0 to 23"),
        ("EMAIL_PORT", "0", "from 1 to 65535"),
        ("RISK_RESERVATION_TTL_SECONDS", "-5", "at least 0"),
        ("RISK_DAY_ROLL_TIME", "5pm", "HH:MM"),
        ("RISK_DAY_ROLL_TIME", "24:00", "HH:MM"),
        ("AUTH_THROTTLE_RATE", "lots", "N/min"),
        ("LOG_LEVEL", "LOUD", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ],
)
def test_a_value_out_of_range_or_malformed_stops_start_up(name: str, value: str, expected: str) -> None:
    _assert_refused(_import_settings(**{name: value}), name, expected)


def test_every_accepted_spelling_of_a_boolean_parses() -> None:
    for value, expected in (
        ("yes", "True"),
        (" ON ", "True"),
        ("False", "False"),
        ("0", "False"),
        ("", "False"),
    ):
        result = _import_settings(DEBUG=value)
        assert (result.returncode, result.stdout.strip()) == (0, expected), (value, result.stderr)


def test_every_variable_the_settings_read_is_in_the_readme_configuration_table() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") : readme.index("## Running in production")]

    assert len(ALL_VARIABLES) > 20
    assert [name for name in ALL_VARIABLES if f"`{name}`" not in table] == []


def _settings_read_by(path: Path) -> set[str]:
    """Names read as `settings.NAME` or `getattr(settings, "NAME", ...)` in one module."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "settings"
        ):
            if node.attr.isupper():
                names.add(node.attr)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"getattr", "hasattr"}
            and len(node.args) >= 2
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == "settings"
            and isinstance(node.args[1], ast.Constant)
        ):
            names.add(str(node.args[1].value))
    return names


def test_every_setting_the_code_reads_is_defined_by_the_project_or_django() -> None:
    read: dict[str, set[str]] = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            for name in _settings_read_by(path):
                read.setdefault(name, set()).add(str(path.relative_to(ROOT)))

    assert "RISK_RESERVATION_TTL_SECONDS" in read  # the scan sees the code
    undefined = {
        name: sorted(paths)
        for name, paths in read.items()
        if not hasattr(project_settings, name) and not hasattr(global_settings, name)
    }
    assert undefined == {}
