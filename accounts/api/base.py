"""The base every API view builds on: one account scope, strict input, consistent errors.

Views never filter accounts by hand or compare roles: they call `self.get_account(code, action)`
(404 when the caller may not see the account, 403 when their role does not allow the action),
`get_group_for(...)` for desks, or use a queryset from `Account.objects.for_user(...)`; all of them
ask the one permission gate, accounts/scoping.py.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import Http404
from rest_framework import permissions, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.models import Account, AccountGroup
from accounts.scoping import Action, is_firm_wide
from accounts.selectors import (
    AccountNotVisible,
    ActionNotAllowed,
    GroupNotVisible,
    account_for_user,
    group_for_user,
)


class StrictSerializer(serializers.Serializer[Any]):
    """A serializer that rejects fields it does not know, naming each one (typos must not pass silently)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class StrictModelSerializer(serializers.ModelSerializer[Any]):
    """ModelSerializer flavour of StrictSerializer."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


def get_account_for(request: Request, code: str, action: Action | str) -> Account:
    """The account for this request, or the 404/403 the contract asks for."""
    try:
        return account_for_user(user=request.user, code=code, action=action)
    except AccountNotVisible:
        raise Http404("No such account.") from None
    except ActionNotAllowed as exc:
        raise PermissionDenied(str(exc)) from None


def get_group_for(request: Request, code: str, action: Action | str) -> AccountGroup:
    """The desk for this request, or 404 (not visible) / 403 (visible, action not allowed)."""
    try:
        return group_for_user(user=request.user, code=code, action=action)
    except GroupNotVisible:
        raise Http404("No such group.") from None
    except ActionNotAllowed as exc:
        raise PermissionDenied(str(exc)) from None


class AccountScopedView(APIView):
    """A view under /accounts/{code}/...: `action_for_method` maps HTTP methods to the action required."""

    action_for_method: ClassVar[dict[str, Action]] = {
        "GET": Action.VIEW,
        "HEAD": Action.VIEW,
        "OPTIONS": Action.VIEW,
        "POST": Action.MANAGE,
        "PUT": Action.MANAGE,
        "PATCH": Action.MANAGE,
        "DELETE": Action.MANAGE,
    }
    account_url_kwarg: ClassVar[str] = "code"

    def get_account(self, action: Action | None = None) -> Account:
        request = self.request
        required = action or self.action_for_method[request.method or "GET"]
        return get_account_for(request, self.kwargs[self.account_url_kwarg], required)


class IsStaffOrReadOnly(permissions.BasePermission):
    """Reference data: any authenticated user reads; staff (or a user with the model's change permission,
    e.g. a market-data feed user) writes."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if is_firm_wide(request.user):
            return True
        perm = getattr(view, "write_permission", None)
        return bool(perm and request.user.has_perm(perm))
