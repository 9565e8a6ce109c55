"""Admin for accounts, strategies, memberships and desks.

Trading states are read-only here: the kill switch is flipped through the limits app's admin actions
and API, which log who changed what and why. The limits app adds those actions to the Account,
Strategy and AccountGroup admins below (limits/admin_actions.py); accounts does not import limits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db import models
from django.db.models import Count, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from accounts.audit import change_record, diff
from accounts.models import Account, AccountGroup, ChangeLogEntry, Membership, Strategy

# The admin classes are generic only for the type checker (no django_stubs_ext monkeypatch at run time).
if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin[Any]
    TabularInline = admin.TabularInline[Any, Any]
else:
    ModelAdmin = admin.ModelAdmin
    TabularInline = admin.TabularInline


class AuditedAdmin(ModelAdmin):
    """Admin edits write the same change-log rows as the API's services: who, when, old and new."""

    audited_m2m: tuple[str, ...] = ()

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool) -> None:
        fields = [name for name in form.changed_data if name not in self.audited_m2m]
        before: dict[str, Any] = {}
        if change:
            stored = type(obj).objects.get(pk=obj.pk)
            before = {name: getattr(stored, name) for name in fields}
            before |= {name: list(getattr(stored, name).all()) for name in self.audited_m2m}
        self._audit_before = before
        super().save_model(request, obj, form, change)
        action = ChangeLogEntry.Action.UPDATE if change else ChangeLogEntry.Action.CREATE
        self._audit_changes = diff(before, {name: getattr(obj, name) for name in fields})
        self._audit_action = action

    def save_related(self, request: HttpRequest, form: ModelForm[Any], formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        after_m2m = {name: list(getattr(obj, name).all()) for name in self.audited_m2m}
        changes = self._audit_changes | diff(self._audit_before, after_m2m)
        change_record(obj=obj, action=self._audit_action, changes=changes, actor=request.user, source="admin")

    def save_formset(self, request: HttpRequest, form: ModelForm[Any], formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if not isinstance(formset, BaseInlineFormSet):
            return
        for created in formset.new_objects:
            values = {f: getattr(created, f) for f in formset.forms[0].fields if hasattr(created, f)}
            change_record(
                obj=created,
                action=ChangeLogEntry.Action.CREATE,
                changes=diff({}, values),
                actor=request.user,
                source="admin",
            )
        for changed, names in formset.changed_objects:
            initial: dict[str, Any] = next((f.initial for f in formset.forms if f.instance is changed), {})
            changes = diff(
                {n: initial.get(n) for n in names}, {n: _value(getattr(changed, n)) for n in names}
            )
            change_record(
                obj=changed,
                action=ChangeLogEntry.Action.UPDATE,
                changes=changes,
                actor=request.user,
                source="admin",
            )
        for deleted in formset.deleted_objects:
            change_record(
                obj=deleted,
                action=ChangeLogEntry.Action.DELETE,
                changes={},
                actor=request.user,
                source="admin",
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        change_record(
            obj=obj, action=ChangeLogEntry.Action.DELETE, changes={}, actor=request.user, source="admin"
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            change_record(
                obj=obj, action=ChangeLogEntry.Action.DELETE, changes={}, actor=request.user, source="admin"
            )
        super().delete_queryset(request, queryset)


def _value(value: Any) -> Any:
    """A foreign key compares by primary key, as the form's initial data holds it."""
    return value.pk if isinstance(value, models.Model) else value


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
class AccountAdmin(AuditedAdmin):
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

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))
        # Every stored figure and money limit is in the base currency: fixed once money has moved.
        if obj is not None and (obj.fills.exists() or obj.cash_movements.exists()):
            readonly += ("base_currency",)
        return readonly

    def get_queryset(self, request: HttpRequest) -> QuerySet[Account]:
        queryset: QuerySet[Account] = super().get_queryset(request)
        return queryset.annotate(_strategies=Count("strategies"))

    @admin.display(description="strategies", ordering="_strategies")
    def strategy_count(self, obj: Any) -> int:
        return int(obj._strategies)


@admin.register(Strategy)
class StrategyAdmin(AuditedAdmin):
    list_display = ("code", "account", "name", "trading_state", "created_at")
    list_filter = ("trading_state", "account")
    search_fields = ("code", "name", "account__code")
    list_select_related = ("account",)
    readonly_fields = ("trading_state", "created_at")
    autocomplete_fields = ("account",)


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ("user", "account", "role", "created_at")
    list_filter = ("role", "account")
    search_fields = ("user__username", "user__email", "account__code")
    list_select_related = ("user", "account")
    autocomplete_fields = ("user", "account")


@admin.register(AccountGroup)
class AccountGroupAdmin(AuditedAdmin):
    audited_m2m = ("accounts",)
    list_display = ("code", "name", "base_currency", "trading_state", "account_count", "updated_at")
    list_filter = ("trading_state", "base_currency")
    search_fields = ("code", "name", "accounts__code")
    readonly_fields = ("trading_state", "created_at", "updated_at")
    filter_horizontal = ("accounts",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[AccountGroup]:
        queryset: QuerySet[AccountGroup] = super().get_queryset(request)
        return queryset.annotate(_accounts=Count("accounts"))

    @admin.display(description="accounts", ordering="_accounts")
    def account_count(self, obj: Any) -> int:
        return int(obj._accounts)


@admin.register(ChangeLogEntry)
class ChangeLogEntryAdmin(ModelAdmin):
    """Read-only: the audit trail is written by services and admin saves, never edited."""

    list_display = ("at", "actor", "action", "object_type", "object_repr", "account", "group", "source")
    list_filter = ("action", "object_type", "source", "at")
    search_fields = ("object_repr", "account__code", "group__code", "actor__username", "reason")
    list_select_related = ("actor", "account", "group")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
