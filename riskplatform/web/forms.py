"""Forms of the page actions. They only parse what the browser sends; the services validate the
values (and name bad fields), so a page edit and a REST edit are refused for the same reasons."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import TradingState
from limits.models import LIMIT_FIELDS
from riskplatform.web.figures import LABELS

REASON_HELP = "Required. Recorded in the audit trail with your name."


class TradingStateForm(forms.Form):
    """The kill switch: a state, a reason and (on the confirmation page) `confirm=yes`."""

    state = forms.ChoiceField(choices=TradingState.choices)
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP)
    confirm = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError("A reason is required.")
        return reason

    @property
    def confirmed(self) -> bool:
        return self.is_valid() and self.cleaned_data.get("confirm") == "yes"


class LimitsForm(forms.Form):
    """Every limit field of one scope as text (empty: no limit), the restricted symbols comma-separated,
    and the reason."""

    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP)

    def __init__(self, *args: Any, current: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current = current
        for name in LIMIT_FIELDS:
            label = LABELS.get(name, name.replace("_", " ").capitalize())
            self.fields[name] = forms.CharField(
                label=f"{label} ({name})",
                required=False,
                initial=_text(current.get(name)),
                help_text="Comma-separated symbols." if name == "restricted_symbols" else "",
            )
        self.order_fields([*LIMIT_FIELDS, "reason"])

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError("A reason is required.")
        return reason

    def changed_values(self) -> dict[str, Any]:
        """The fields whose text differs from the current value, as the service takes them."""
        values: dict[str, Any] = {}
        for name in LIMIT_FIELDS:
            text = (self.cleaned_data.get(name) or "").strip()
            if text == _text(self.current.get(name)):
                continue
            if name == "restricted_symbols":
                values[name] = [s.strip() for s in text.split(",") if s.strip()]
            else:
                values[name] = text or None
        return values


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(sorted(str(v) for v in value))
    if hasattr(value, "normalize"):
        return f"{value.normalize():f}"
    return str(value)
