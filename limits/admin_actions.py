"""Kill-switch admin actions for the Account, Strategy and AccountGroup changelists.

Each action shows a confirmation page (like Django's "delete selected") that asks for a reason, then
calls `trading_state_set` for every selected row in one transaction, so the log says who and why.

The accounts app registers those admins and may not import limits (apps import downwards only), so
limits adds its actions to them: `register_trading_state_actions()`, called by limits/admin.py, which
Django's admin autodiscovery imports after accounts/admin.py (INSTALLED_APPS order).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from accounts.models import Account, AccountGroup, Strategy, TradingState
from accounts.scoping import Action, can, can_on_group
from limits.models import TradingStateSource
from limits.services import trading_state_set

CONFIRM_TEMPLATE = "admin/limits/trading_state_confirm.html"

AdminAction = Callable[[Any, HttpRequest, QuerySet[Any]], TemplateResponse | None]


class TradingStateReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=2000,
        help_text="Recorded in the trading-state log with your name.",
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError("A reason is required.")
        return reason


def _may_switch(modeladmin: Any, request: HttpRequest, targets: list[Any]) -> bool:
    """The admin's own model permission (flipping the switch changes the row) and the permission gate
    on every selected target, as the API asks it."""
    if not modeladmin.has_change_permission(request):
        return False
    user = request.user
    for target in targets:
        if isinstance(target, AccountGroup):
            allowed = can_on_group(user, target, Action.MANAGE)
        else:
            allowed = can(user, target.account if isinstance(target, Strategy) else target, Action.MANAGE)
        if not allowed:
            return False
    return True


def _make_action(state: str, verb: str) -> AdminAction:
    label = TradingState(state).label

    def action(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> TemplateResponse | None:
        targets = list(queryset.select_related("account") if queryset.model is Strategy else queryset)
        if not _may_switch(modeladmin, request, targets):
            raise PermissionDenied
        form = TradingStateReasonForm(request.POST if request.POST.get("confirm") == "yes" else None)
        if form.is_bound and form.is_valid():
            with transaction.atomic():
                for target in targets:
                    trading_state_set(
                        target=target,
                        state=state,
                        reason=form.cleaned_data["reason"],
                        changed_by=request.user,
                        source=TradingStateSource.ADMIN,
                    )
            names = ", ".join(str(target) for target in targets)
            modeladmin.message_user(request, f"{label}: {names}.", messages.SUCCESS)
            return None  # back to the changelist
        opts = modeladmin.model._meta
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": f"{verb}: are you sure?",
            "verb": verb,
            "state": state,
            "state_label": label,
            "queryset": queryset,
            "form": form,
            "opts": opts,
            "action_name": action.__name__,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": modeladmin.media,
        }
        request.current_app = modeladmin.admin_site.name
        return TemplateResponse(request, CONFIRM_TEMPLATE, context)

    action.__name__ = f"trading_state_{state}"
    return admin.action(description=f"{verb} selected %(verbose_name_plural)s")(action)


halt = _make_action(TradingState.HALTED, "Halt")
reduce_only = _make_action(TradingState.REDUCE_ONLY, "Reduce only")
resume = _make_action(TradingState.ACTIVE, "Resume")

trading_state_actions: list[AdminAction] = [halt, reduce_only, resume]


def register_trading_state_actions(site: admin.AdminSite = admin.site) -> None:
    """Add the kill-switch actions to the Account, Strategy and AccountGroup admins of `site`.

    Idempotent: an action already there is not added twice.
    """
    for model in (Account, Strategy, AccountGroup):
        model_admin = site.get_model_admin(model)
        actions = list(model_admin.actions or ())
        model_admin.actions = [*actions, *(a for a in trading_state_actions if a not in actions)]
