"""Risk managers' dashboards (server-rendered, session login), every account and alert decided by the
permission gate (accounts/scoping.py): `for_user` lists, `account_for_user` and `can`. An account the
user may not see is a 404 here as in the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.scoping import Action, can
from accounts.selectors import AccountNotVisible, ActionNotAllowed, account_for_user
from analytics.selectors.dashboard import dashboard_rows, open_alerts, sparkline, var_history
from analytics.selectors.reports import alerts_for_user, latest_report
from analytics.services.alerts import alert_acknowledge
from positions.clock import current_trading_date
from positions.selectors import position_rows


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    rows = dashboard_rows(user=request.user, today=current_trading_date())
    return render(
        request,
        "analytics/dashboard.html",
        {"rows": rows, "alerts": open_alerts(user=request.user), "show_ack": True},
    )


@login_required
def account_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        account = account_for_user(user=request.user, code=code, action=Action.VIEW)
    except (AccountNotVisible, ActionNotAllowed):
        raise Http404("No such account.") from None
    history = var_history(account=account, today=current_trading_date())
    values = [r.var_99 for r in history if r.var_99 is not None]
    report = latest_report(account_id=account.pk)
    return render(
        request,
        "analytics/account.html",
        {
            "account": account,
            "positions": position_rows(account=account),
            "report": report,
            "history": history[::-1][:30],
            "spark": sparkline(values, width=480, height=80),
            "alerts": open_alerts(user=request.user, account=account),
            "can_acknowledge": can(request.user, account, Action.MANAGE),
        },
    )


@login_required
@require_POST
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = alerts_for_user(user=request.user).filter(pk=alert_id).first()
    if alert is None:
        raise Http404("No such alert.")
    if not can(request.user, alert.account, Action.MANAGE):
        messages.error(request, "Only a risk manager of the account may acknowledge its alerts.")
    else:
        alert_acknowledge(alert=alert, user=request.user)  # type: ignore[arg-type]
        messages.success(request, f"Alert {alert.pk} acknowledged.")
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("analytics:dashboard")
