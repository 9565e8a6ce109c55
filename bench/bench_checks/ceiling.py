"""The ceiling of the PostgreSQL-lock design: a check that only locks and stores, nothing else.

`POST /bench/lock-and-store/` takes the same body as /api/v1/checks/ and runs the same request path
(token auth, OrderIn validation, the account scope, the check's two-round-trip transaction and raw
INSERT, the same JSON answer) but reads no snapshot and runs no rules, no limits, no rate window:
every order is accepted. No real check can be faster than this on the same stack, so its throughput
against the one-row read bounds what /checks/ can reach with row locks on this machine.

Served only by the bench: run.py --ceiling starts gunicorn with
DJANGO_SETTINGS_MODULE=ceiling (this module), which adds the route to the platform's urls.
"""

from __future__ import annotations

import sys
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from riskplatform.settings import *  # noqa: F403

ROOT_URLCONF = "ceiling"


def _view() -> Any:
    from django.urls import include, path
    from django.utils import timezone
    from rest_framework.request import Request
    from rest_framework.response import Response

    from accounts.scoping import Action
    from limits.api.checks import CheckAPIView, OrderIn, _valid, get_account_for, result_json
    from limits.checks.idempotency import fingerprint
    from limits.checks.reservations import reservation_expiry
    from limits.checks.service import CheckResult
    from limits.checks.store.postgres import _LOCK_ACCOUNT, PostgresCheckStore, _sql
    from limits.models.checks import CheckDecision

    class LockAndStore(CheckAPIView):
        def post(self, request: Request) -> Response:
            from django.db import connection

            data = _valid(OrderIn, request.data)
            account = get_account_for(request, data["account"], Action.TRADE)
            order = OrderIn.draft(data)
            now = timezone.now()
            with PostgresCheckStore().session() as session:
                # The store's own BEGIN and account lock, without its read (nor a group's locks).
                with connection.cursor() as cursor:
                    cursor.execute(
                        "BEGIN;\n" + _sql(_LOCK_ACCOUNT).format(lock=" FOR NO KEY UPDATE"), {"a": account.pk}
                    )
                session.begun = True
                row = CheckDecision(
                    check_id=uuid.uuid4(), account_id=account.pk, symbol=order.symbol, side=order.side,
                    quantity=order.quantity, price=order.price, order_type=order.order_type,
                    fingerprint=fingerprint(order), decision="accepted", violations=[], warnings=[],
                    request={}, evaluated_at=now, caller_id=request.user.pk, open_quantity=order.quantity,
                    filled_quantity=Decimal(0), released_quantity=Decimal(0),
                    expires_at=reservation_expiry(now),
                )  # fmt: skip
                session.store_and_commit([row])
            return Response(result_json(CheckResult.of(row)))

    return [
        path("bench/lock-and-store/", LockAndStore.as_view()),
        path("", include("riskplatform.urls")),
    ]


def __getattr__(name: str) -> Any:
    # The url patterns import models: built on first access, after django.setup().
    if name == "urlpatterns":
        return _view()
    raise AttributeError(name)
