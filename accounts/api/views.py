"""Token auth, accounts, strategies and memberships.

Every account-scoped view resolves its account through AccountScopedView (404 when the caller may
not see it, 403 when the role does not allow the action); the list of accounts is `for_user`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from accounts import services
from accounts.api import serializers as s
from accounts.api.base import AccountScopedView
from accounts.models import Account, ChangeLogEntry, Membership, Strategy
from accounts.scoping import Action, is_firm_wide


class AuthTokenView(ObtainAuthToken):
    """Exchange a username and password for the user's API token (`Authorization: Token <key>`)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=AuthTokenSerializer, responses={200: s.TokenOut}, auth=[])
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)


class AccountListView(generics.ListAPIView[Account]):
    """The accounts the caller may see. Only staff create accounts."""

    serializer_class = s.AccountOut

    def get_queryset(self) -> QuerySet[Account]:
        return Account.objects.for_user(self.request.user, Action.VIEW).order_by("code")

    @extend_schema(request=s.AccountCreateIn, responses={201: s.AccountOut})
    def post(self, request: Request) -> Response:
        if not is_firm_wide(request.user):
            raise PermissionDenied("Only staff may create accounts.")
        data = s.AccountCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        account = services.account_create(created_by=request.user, **data.validated_data)
        return Response(s.AccountOut(account).data, status=status.HTTP_201_CREATED)


class AccountDetailView(AccountScopedView):
    @extend_schema(responses={200: s.AccountOut})
    def get(self, request: Request, code: str) -> Response:
        return Response(s.AccountOut(self.get_account()).data)

    @extend_schema(request=s.AccountUpdateIn, responses={200: s.AccountOut})
    def patch(self, request: Request, code: str) -> Response:
        account = self.get_account()
        data = s.AccountUpdateIn(instance=account, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = {k: v for k, v in data.validated_data.items() if k != "code"}
        account = services.account_update(account=account, changed_by=request.user, **changes)
        return Response(s.AccountOut(account).data)


class StrategyListView(AccountScopedView, generics.ListAPIView[Strategy]):
    serializer_class = s.StrategyOut

    def get_queryset(self) -> QuerySet[Strategy]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no account in the URL
            return Strategy.objects.none()
        return self.get_account().strategies.select_related("account").order_by("code")

    @extend_schema(request=s.StrategyCreateIn, responses={201: s.StrategyOut})
    def post(self, request: Request, code: str) -> Response:
        account = self.get_account()
        data = s.StrategyCreateIn(data=request.data, context={"account": account})
        data.is_valid(raise_exception=True)
        strategy = services.strategy_create(account=account, created_by=request.user, **data.validated_data)
        return Response(s.StrategyOut(strategy).data, status=status.HTTP_201_CREATED)


class StrategyDetailView(AccountScopedView):
    def get_strategy(self) -> Strategy:
        account = self.get_account()
        strategy = account.strategies.filter(code=self.kwargs["strategy"]).first()
        if strategy is None:
            raise Http404("No such strategy.")
        return strategy

    @extend_schema(responses={200: s.StrategyOut})
    def get(self, request: Request, code: str, strategy: str) -> Response:
        return Response(s.StrategyOut(self.get_strategy()).data)

    @extend_schema(request=s.StrategyUpdateIn, responses={200: s.StrategyOut})
    def patch(self, request: Request, code: str, strategy: str) -> Response:
        found = self.get_strategy()
        data = s.StrategyUpdateIn(instance=found, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = {k: v for k, v in data.validated_data.items() if k != "code"}
        found = services.strategy_update(strategy=found, changed_by=request.user, **changes)
        return Response(s.StrategyOut(found).data)


class MemberListView(AccountScopedView, generics.ListAPIView[Membership]):
    """Who may see and act on the account. POST gives a user a role (or changes it)."""

    serializer_class = s.MemberOut

    def get_queryset(self) -> QuerySet[Membership]:
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return self.get_account().memberships.select_related("user").order_by("user__username")

    @extend_schema(request=s.MemberIn, responses={200: s.MemberOut, 201: s.MemberOut})
    def post(self, request: Request, code: str) -> Response:
        account = self.get_account()
        data = s.MemberIn(data=request.data)
        data.is_valid(raise_exception=True)
        membership, created = services.membership_set(
            account=account,
            user=data.validated_data["username"],
            role=data.validated_data["role"],
            changed_by=request.user,
        )
        return Response(
            s.MemberOut(membership).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class MemberDetailView(AccountScopedView):
    @extend_schema(responses={200: s.MemberOut})
    def get(self, request: Request, code: str, username: str) -> Response:
        membership = (
            self.get_account().memberships.select_related("user").filter(user__username=username).first()
        )
        if membership is None:
            raise Http404("No such member.")
        return Response(s.MemberOut(membership).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, code: str, username: str) -> Response:
        account = self.get_account()
        membership = account.memberships.select_related("user").filter(user__username=username).first()
        if membership is None:
            raise Http404("No such member.")
        services.membership_delete(account=account, user=membership.user, changed_by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChangeLogView(AccountScopedView, generics.ListAPIView[ChangeLogEntry]):
    """The account's change log (set-up changes: account, strategies, members), newest first.

    Limit and trading-state changes have their own history under .../limits/history/ and
    .../trading-state/.
    """

    serializer_class = s.ChangeLogEntryOut

    def get_queryset(self) -> QuerySet[ChangeLogEntry]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no account in the URL
            return ChangeLogEntry.objects.none()
        return self.get_account().change_log.select_related("actor").order_by("-at", "-id")
