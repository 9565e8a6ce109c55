"""Reads of the decision log, scoped to the accounts the caller may see."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from accounts.models import Account
from accounts.scoping import Action, is_firm_wide
from limits.models.checks import CheckDecision

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def decision_list(
    *, user: AbstractBaseUser | AnonymousUser, account: Account | None = None, decision: str | None = None
) -> QuerySet[CheckDecision]:
    """Decisions newest first: of `account` (already authorised) or of every account `user` may view."""
    rows = CheckDecision.objects.select_related("account", "strategy", "caller")
    if account is not None:
        rows = rows.filter(account=account)
    elif not is_firm_wide(user):
        rows = rows.filter(account__in=Account.objects.for_user(user, Action.VIEW).values("pk"))
    if decision:
        rows = rows.filter(decision=decision)
    return rows.order_by("-evaluated_at", "-id")


def decision_by_check_id(*, check_id: uuid.UUID | str) -> CheckDecision | None:
    """The decision, whoever may see it: the caller authorises on its account afterwards."""
    return (
        CheckDecision.objects.select_related("account", "strategy", "caller")
        .filter(check_id=check_id)
        .first()
    )
