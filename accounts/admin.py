"""Admin for accounts, strategies, memberships and desks.

Trading states are read-only here: the kill switch is flipped through the limits app's admin actions
and API, which log who changed what and why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from accounts.models import Account, AccountGroup, Membership, Strategy
from limits.admin_actions import trading_state_actions

# The admin classes are generic only for the type checker (no django_stubs_ext monkeypatch at run time).
if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin[Any]
    TabularInline = admin.TabularInline[Any, Any]
else:
    ModelAdmin = admin.ModelAdmin
    TabularInline = admin.TabularInline


class StrategyInline(TabularInline):
    model = Strategy
    extra = 0
    fields = ("code", "name", "trading_state", "created_at")
    readonly_fields = ("trading_state", "created_at")
    show_change_link = True


class MembershipInline(TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)


@admin.register(Account)
class AccountAdmin(ModelAdmin):
    list_display = ("code", "name", "base_currency", "trading_state", "strategy_count", "updated_at")
    list_filter = ("trading_state", "base_currency", "groups")
    search_fields = ("code", "name")
    readonly_fields = ("trading_state", "created_at", "updated_at")
    fields = (
        "code",
        "name",
        "base_currency",
        "trading_state",
        "alert_recipients",
        "created_at",
        "updated_at",
    )
    inlines = (StrategyInline, MembershipInline)
    actions = [*trading_state_actions]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Account]:
        queryset: QuerySet[Account] = super().get_queryset(request)
        return queryset.annotate(_strategies=Count("strategies"))

    @admin.display(description="strategies", ordering="_strategies")
    def strategy_count(self, obj: Any) -> int:
        return int(obj._strategies)


@admin.register(Strategy)
class StrategyAdmin(ModelAdmin):
    list_display = ("code", "account", "name", "trading_state", "created_at")
    list_filter = ("trading_state", "account")
    search_fields = ("code", "name", "account__code")
    list_select_related = ("account",)
    readonly_fields = ("trading_state", "created_at")
    autocomplete_fields = ("account",)
    actions = [*trading_state_actions]


@admin.register(Membership)
class MembershipAdmin(ModelAdmin):
    list_display = ("user", "account", "role", "created_at")
    list_filter = ("role", "account")
    search_fields = ("user__username", "user__email", "account__code")
    list_select_related = ("user", "account")
    autocomplete_fields = ("user", "account")


@admin.register(AccountGroup)
class AccountGroupAdmin(ModelAdmin):
    list_display = ("code", "name", "base_currency", "trading_state", "account_count", "updated_at")
    list_filter = ("trading_state", "base_currency")
    search_fields = ("code", "name", "accounts__code")
    readonly_fields = ("trading_state", "created_at", "updated_at")
    filter_horizontal = ("accounts",)
    actions = [*trading_state_actions]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AccountGroup]:
        queryset: QuerySet[AccountGroup] = super().get_queryset(request)
        return queryset.annotate(_accounts=Count("accounts"))

    @admin.display(description="accounts", ordering="_accounts")
    def account_count(self, obj: Any) -> int:
        return int(obj._accounts)
