"""Admin for limits, their history and overrides, and the trading-state log.

Saving limits in admin goes through `limit_set_update` (with the admin user and a required reason),
so admin edits leave the same history as API edits. History and logs are read-only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from limits.admin_actions import register_trading_state_actions
from limits.models import (
    LIMIT_FIELDS,
    LimitChange,
    LimitChangeSource,
    LimitOverride,
    LimitSet,
    TradingStateChange,
)
from limits.services import (
    InvalidLimit,
    clean_limit_value,
    clean_limit_values,
    limit_override_create,
    limit_override_revert,
    limit_set_update,
)

if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin[Any]
    TabularInline = admin.TabularInline[Any, Any]
else:
    ModelAdmin = admin.ModelAdmin
    TabularInline = admin.TabularInline

SCOPE_FIELDS = ("account", "strategy", "group")


class ReadOnlyAdminMixin:
    """History is written by services only: no add, change or delete in admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LimitSetForm(forms.ModelForm):  # type: ignore[type-arg]
    reason = forms.CharField(
        label="Reason for change",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        max_length=2000,
        help_text="Required. Kept in the limit history with your name.",
    )

    class Meta:
        model = LimitSet
        fields = (*SCOPE_FIELDS, *LIMIT_FIELDS)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if self.instance.pk is None:
            scopes = [name for name in SCOPE_FIELDS if cleaned.get(name)]
            if len(scopes) != 1:
                raise ValidationError("Choose exactly one of account, strategy or group.")
            if LimitSet.objects.filter(**{scopes[0]: cleaned[scopes[0]]}).exists():
                self.add_error(scopes[0], "This scope already has limits: edit them instead.")
        values = {name: cleaned.get(name) for name in LIMIT_FIELDS if name not in self.errors}
        try:
            cleaned.update(clean_limit_values(values))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field, errors)
        reason = (cleaned.get("reason") or "").strip()
        if "reason" in cleaned and not reason:
            self.add_error("reason", "A reason is required.")
        return cleaned


class LimitChangeInline(ReadOnlyAdminMixin, TabularInline):
    model = LimitChange
    fk_name = "limit_set"
    extra = 0
    fields = ("changed_at", "field", "old_value", "new_value", "changed_by", "source", "reason")
    readonly_fields = fields
    ordering = ("-changed_at", "-id")
    verbose_name_plural = "history (newest first)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[LimitChange]:
        return super().get_queryset(request).select_related("changed_by")


class LimitOverrideInline(ReadOnlyAdminMixin, TabularInline):
    model = LimitOverride
    extra = 0
    fields = ("field", "value", "expires_at", "reverted_at", "created_by", "reason")
    readonly_fields = fields
    show_change_link = True


@admin.register(LimitSet)
class LimitSetAdmin(ModelAdmin):
    form = LimitSetForm
    list_display = (
        "__str__",
        "max_order_notional",
        "max_position_notional",
        "max_gross_exposure",
        "max_daily_loss",
        "max_leverage",
        "updated_at",
    )
    list_select_related = ("account", "strategy__account", "group")
    search_fields = ("account__code", "strategy__code", "strategy__account__code", "group__code")
    autocomplete_fields = SCOPE_FIELDS
    inlines = (LimitOverrideInline, LimitChangeInline)
    fieldsets = (
        ("Scope (exactly one)", {"fields": SCOPE_FIELDS}),
        ("Per order", {"fields": ("max_order_quantity", "max_order_notional", "price_collar_pct")}),
        ("Per instrument", {"fields": ("max_position_quantity", "max_position_notional")}),
        (
            "Portfolio (base currency)",
            {
                "fields": (
                    "max_gross_exposure",
                    "max_net_exposure",
                    "max_daily_loss",
                    "max_leverage",
                    "max_var",
                )
            },
        ),
        ("Flow and lists", {"fields": ("max_orders_per_minute", "restricted_symbols")}),
        ("Warnings", {"fields": ("warn_utilization_pct",)}),
        ("Why", {"fields": ("reason",)}),
    )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting would lose the history; set fields to empty (no limit) instead.
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return SCOPE_FIELDS if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: LimitSet, form: Any, change: bool) -> None:
        target = obj.account or obj.strategy or obj.group
        assert target is not None
        saved = limit_set_update(
            target=target,
            values={name: form.cleaned_data.get(name) for name in LIMIT_FIELDS},
            reason=form.cleaned_data["reason"],
            changed_by=request.user,
            source=LimitChangeSource.ADMIN,
            replace=True,
        )
        obj.pk = saved.pk
        obj.refresh_from_db()


class LimitOverrideForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = LimitOverride
        fields = ("limit_set", "field", "value", "expires_at", "reason")

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("field") and cleaned.get("value") is not None:
            try:
                clean_limit_value(cleaned["field"], cleaned["value"])
            except InvalidLimit as exc:
                self.add_error("value", str(exc))
        expires_at = cleaned.get("expires_at")
        if expires_at is not None and expires_at <= timezone.now():
            self.add_error("expires_at", "Must be in the future.")
        if "reason" in cleaned and not cleaned["reason"].strip():
            self.add_error("reason", "A reason is required.")
        return cleaned


@admin.register(LimitOverride)
class LimitOverrideAdmin(ModelAdmin):
    form = LimitOverrideForm
    list_display = ("limit_set", "field", "value", "expires_at", "reverted_at", "is_active_now", "created_by")
    list_filter = ("field", ("reverted_at", admin.EmptyFieldListFilter), "expires_at")
    search_fields = (
        "limit_set__account__code",
        "limit_set__strategy__code",
        "limit_set__group__code",
        "reason",
    )
    list_select_related = (
        "limit_set__account",
        "limit_set__strategy__account",
        "limit_set__group",
        "created_by",
    )
    autocomplete_fields = ("limit_set",)
    actions = ("end_now",)

    @admin.display(boolean=True, description="active")
    def is_active_now(self, obj: LimitOverride) -> bool:
        return obj.is_active()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        return (
            "limit_set",
            "field",
            "value",
            "expires_at",
            "reason",
            "created_by",
            "created_at",
            "reverted_at",
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: LimitOverride, form: Any, change: bool) -> None:
        if change:
            return  # every field is read-only once created
        limit_set = form.cleaned_data["limit_set"]
        target = limit_set.account or limit_set.strategy or limit_set.group
        created = limit_override_create(
            target=target,
            field=form.cleaned_data["field"],
            value=form.cleaned_data["value"],
            expires_at=form.cleaned_data["expires_at"],
            reason=form.cleaned_data["reason"],
            created_by=request.user,
        )
        obj.pk = created.pk
        obj.refresh_from_db()

    @admin.action(description="End selected overrides now")
    def end_now(self, request: HttpRequest, queryset: QuerySet[LimitOverride]) -> None:
        ended = sum(
            limit_override_revert(
                override=override,
                reverted_by=request.user,
                reason="ended in admin",
                source=LimitChangeSource.ADMIN,
            )
            for override in queryset
        )
        self.message_user(request, f"Ended {ended} override(s).", messages.SUCCESS)


@admin.register(LimitChange)
class LimitChangeAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = (
        "changed_at",
        "scope_label",
        "field",
        "old_value",
        "new_value",
        "changed_by",
        "source",
        "reason",
    )
    list_filter = ("scope_kind", "field", "source", "changed_by", "changed_at")
    search_fields = ("scope_label", "field", "reason", "changed_by__username")
    list_select_related = ("changed_by",)
    date_hierarchy = "changed_at"


@admin.register(TradingStateChange)
class TradingStateChangeAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ("changed_at", "scope", "old_state", "new_state", "changed_by", "source", "reason")
    list_filter = ("new_state", "source", "changed_by", "changed_at", "account", "group")
    search_fields = ("account__code", "strategy__code", "group__code", "reason", "changed_by__username")
    list_select_related = ("account", "strategy__account", "group", "changed_by")
    date_hierarchy = "changed_at"

    @admin.display(description="scope")
    def scope(self, obj: TradingStateChange) -> str:
        return obj.scope_label


# The kill switch on the changelists of accounts' admins (accounts does not import limits).
register_trading_state_actions()

from limits import admin_checks  # noqa: E402, F401  (read-only CheckDecision admin, owned by the checks helper)
