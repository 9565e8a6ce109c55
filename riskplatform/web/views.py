"""The risk managers' pages (session login). Each view finds its account or desk through the gate
(`account_for_user`, `group_for_user`: 404 when the user may not see it, 403 when the role does not
allow the action), reads through a selector, writes through a service, and renders."""

from __future__ import annotations

import csv
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Account, AccountGroup, Strategy, TradingState
from accounts.scoping import Action, GroupNotVisible, can
from accounts.selectors import AccountNotVisible, ActionNotAllowed, account_for_user, group_for_user
from analytics.selectors import alerts_for_user
from analytics.services.alerts import alert_acknowledge
from limits import selectors as limit_selectors
from limits.models import LIMIT_FIELDS, LimitChangeSource, TradingStateSource
from limits.services import Target, limit_set_update, trading_state_set
from riskplatform.web.figures import overview as overview_of
from riskplatform.web.forms import LimitsForm, TradingStateForm
from riskplatform.web.pages import account_page, desk_page, report_rows

VERBS = {TradingState.HALTED: "Halt", TradingState.REDUCE_ONLY: "Reduce only", TradingState.ACTIVE: "Resume"}


def _account(request: HttpRequest, code: str, action: Action) -> Account:
    try:
        return account_for_user(user=request.user, code=code, action=action)
    except AccountNotVisible:
        raise Http404("No such account.") from None
    except ActionNotAllowed as exc:
        raise PermissionDenied(str(exc)) from None


def _desk(request: HttpRequest, code: str, action: Action) -> AccountGroup:
    try:
        return group_for_user(user=request.user, code=code, action=action)
    except GroupNotVisible:
        raise Http404("No such desk.") from None
    except ActionNotAllowed as exc:
        raise PermissionDenied(str(exc)) from None


def _strategy_or_account(account: Account, scope: str) -> Target:
    """`scope` is "account" or "strategy:<code>" (a strategy of `account`)."""
    kind, _, code = scope.partition(":")
    if kind in ("", "account"):
        return account
    strategy = Strategy.objects.filter(account=account, code=code).first() if kind == "strategy" else None
    if strategy is None:
        raise Http404("No such strategy.")
    return strategy


def _refresh() -> int:
    return int(settings.RISK_PAGE_REFRESH_SECONDS)


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/overview.html",
        {
            "overview": overview_of(user=request.user),
            "alerts": alerts_for_user(user=request.user, state="open")[:50],
            "refresh_seconds": _refresh(),
        },
    )


@login_required
@require_GET
def account_detail(request: HttpRequest, code: str) -> HttpResponse:
    account = _account(request, code, Action.VIEW)
    return render(
        request,
        "web/account.html",
        {
            "page": account_page(account=account, user=request.user),
            "state_form": TradingStateForm(),
            "refresh_seconds": _refresh(),
        },
    )


@login_required
@require_GET
def desk_detail(request: HttpRequest, code: str) -> HttpResponse:
    group = _desk(request, code, Action.VIEW)
    return render(
        request,
        "web/desk.html",
        {"page": desk_page(group=group, user=request.user), "state_form": TradingStateForm()},
    )


def _switch(request: HttpRequest, *, target: Target, label: str, back: str) -> HttpResponse:
    """The kill switch after the gate allowed it: a confirmation page first, then the service."""
    form = TradingStateForm(request.POST)
    scope = request.POST.get("scope", "account")
    if not form.is_valid():
        return render(
            request,
            "web/trading_state_confirm.html",
            {
                "form": form,
                "label": label,
                "back": back,
                "target_state": target.trading_state,
                "scope": scope,
            },
            status=400,
        )
    state = form.cleaned_data["state"]
    if not form.confirmed:
        return render(
            request,
            "web/trading_state_confirm.html",
            {
                "form": form,
                "label": label,
                "back": back,
                "verb": VERBS[state],
                "state_label": TradingState(state).label,
                "target_state": target.trading_state,
                "scope": scope,
            },
        )
    trading_state_set(
        target=target,
        state=state,
        reason=form.cleaned_data["reason"],
        changed_by=request.user,
        source=TradingStateSource.WEB,
    )
    messages.success(request, f"{label}: {TradingState(state).label}.")
    return redirect(back)


@login_required
@require_POST
def account_trading_state(request: HttpRequest, code: str) -> HttpResponse:
    account = _account(request, code, Action.MANAGE)
    target = _strategy_or_account(account, request.POST.get("scope", "account"))
    label = f"Account {account.code}" if target is account else f"Strategy {target}"
    return _switch(request, target=target, label=label, back=reverse("account", args=[account.code]))


@login_required
@require_POST
def desk_trading_state(request: HttpRequest, code: str) -> HttpResponse:
    group = _desk(request, code, Action.MANAGE)
    return _switch(request, target=group, label=f"Desk {group.code}", back=reverse("desk", args=[group.code]))


def _current_limits(target: Target) -> dict[str, Any]:
    stored = limit_selectors.limit_set_of(target)
    if stored is None:
        return {name: None for name in LIMIT_FIELDS} | {
            "warn_utilization_pct": limit_selectors.effective_limits_of(target).warn_utilization_pct,
            "restricted_symbols": [],
        }
    return {name: getattr(stored, name) for name in LIMIT_FIELDS}


def _edit_limits(
    request: HttpRequest, *, target: Target, label: str, currency: str, back: str, scope: str = ""
) -> HttpResponse:
    form = LimitsForm(request.POST or None, current=_current_limits(target))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = form.changed_values()
            try:
                limit_set_update(
                    target=target,
                    values=values,
                    reason=form.cleaned_data["reason"],
                    changed_by=request.user,
                    source=LimitChangeSource.WEB,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                changed = ", ".join(values) or "nothing"
                messages.success(request, f"Limits of {label}: changed {changed}.")
                return redirect(back)
        status = 400
    return render(
        request,
        "web/limits_edit.html",
        {"form": form, "label": label, "currency": currency, "back": back, "scope": scope},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_limits(request: HttpRequest, code: str) -> HttpResponse:
    account = _account(request, code, Action.MANAGE)
    scope = request.GET.get("scope") or request.POST.get("scope") or "account"
    target = _strategy_or_account(account, scope)
    label = f"account {account.code}" if target is account else f"strategy {target}"
    return _edit_limits(
        request,
        target=target,
        label=label,
        currency=account.base_currency,
        back=reverse("account", args=[account.code]),
        scope=scope,
    )


@login_required
@require_http_methods(["GET", "POST"])
def desk_limits(request: HttpRequest, code: str) -> HttpResponse:
    group = _desk(request, code, Action.MANAGE)
    return _edit_limits(
        request,
        target=group,
        label=f"desk {group.code}",
        currency=group.base_currency,
        back=reverse("desk", args=[group.code]),
    )


@login_required
@require_POST
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = alerts_for_user(user=request.user).filter(pk=alert_id).first()
    if alert is None:
        raise Http404("No such alert.")
    if not can(request.user, alert.account, Action.MANAGE):
        raise PermissionDenied("Only a risk manager of the account may acknowledge its alerts.")
    alert_acknowledge(alert=alert, user=request.user)  # type: ignore[arg-type]
    messages.success(request, f"Alert {alert.pk} acknowledged.")
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("overview")


REPORT_COLUMNS = (
    "as_of",
    "status",
    "error_code",
    "method",
    "lookback_days",
    "currency",
    "var_95",
    "var_99",
    "es_975",
    "parametric_var_99",
    "historical_var_99",
    "monte_carlo_var_99",
    "margin_required",
    "scenario_margin",
    "portfolio_value",
    "realized_pnl",
)


@login_required
@require_GET
def account_reports_csv(request: HttpRequest, code: str) -> HttpResponse:
    """The account's report history, oldest first, one row per day."""
    account = _account(request, code, Action.VIEW)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{account.code}-risk-reports.csv"'
    writer = csv.writer(response)
    writer.writerow(["account", *REPORT_COLUMNS])
    for report in report_rows(account=account):
        writer.writerow([account.code, *(_cell(getattr(report, name)) for name in REPORT_COLUMNS)])
    return response


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return value
