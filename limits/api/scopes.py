"""Resolve the target of a limits/trading-state URL (account, strategy or group) with the contract's
404/403 rules, all decided by the permission gate (accounts/scoping.py) through the accounts API base:
`get_account` for accounts and strategies, `get_group_for` for groups."""

from __future__ import annotations

from typing import ClassVar

from django.http import Http404
from rest_framework.views import APIView

from accounts.api.base import AccountScopedView, get_group_for
from accounts.models import Account, AccountGroup, Strategy
from accounts.scoping import Action
from limits.services import Target

ACTION_FOR_METHOD: dict[str, Action] = {
    "GET": Action.VIEW,
    "HEAD": Action.VIEW,
    "OPTIONS": Action.VIEW,
    "POST": Action.MANAGE,
    "PUT": Action.MANAGE,
    "PATCH": Action.MANAGE,
    "DELETE": Action.MANAGE,
}


class TargetView(APIView):
    """A view acting on one limit scope; subclasses say how to find it."""

    scope_kind: ClassVar[str]

    def get_target(self) -> Target:
        raise NotImplementedError

    def base_currency(self, target: Target) -> str:
        if isinstance(target, Strategy):
            return target.account.base_currency
        return str(target.base_currency)


class AccountTargetView(AccountScopedView, TargetView):
    scope_kind = "account"

    def get_target(self) -> Account:
        return self.get_account()


class StrategyTargetView(AccountScopedView, TargetView):
    scope_kind = "strategy"

    def get_target(self) -> Strategy:
        account = self.get_account()
        strategy = Strategy.objects.filter(account=account, code=self.kwargs["strategy"]).first()
        if strategy is None:
            raise Http404("No such strategy.")
        strategy.account = account  # already loaded: spare a query for base_currency and labels
        return strategy


class GroupTargetView(TargetView):
    """Groups: staff see all; others see groups holding an account they risk-manage (404 otherwise).
    Writes need staff or risk manager of every account in the group (403 otherwise)."""

    scope_kind = "group"
    group_url_kwarg: ClassVar[str] = "group"

    def get_target(self) -> AccountGroup:
        action = ACTION_FOR_METHOD[self.request.method or "GET"]
        return get_group_for(self.request, self.kwargs[self.group_url_kwarg], action)


def target_code(target: Target) -> str:
    return str(target.code)
