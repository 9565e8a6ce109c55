"""Instruments, market data, fills, positions and cash.

Fills are the source of truth: positions and cash balances are derived from fills and cash movements
and can be rebuilt from them at any time (`rebuild_positions`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from accounts.models import Account, Strategy, currency_validator

# Quantities, prices and amounts use max_digits=28, decimal_places=10: enough for crypto
# quantities with ten decimals and notionals in the trillions.


class AssetClass(models.TextChoices):
    EQUITY = "equity", "Equity"
    FUTURE = "future", "Future"
    OPTION = "option", "Option"
    FX = "fx", "FX"
    CRYPTO = "crypto", "Crypto"


class OptionType(models.TextChoices):
    CALL = "call", "Call"
    PUT = "put", "Put"


class Side(models.TextChoices):
    BUY = "buy", "Buy"
    SELL = "sell", "Sell"


class Instrument(models.Model):
    """A tradable instrument. Notional = quantity x price x multiplier, in `currency`."""

    symbol = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200, blank=True, default="")
    asset_class = models.CharField(max_length=16, choices=AssetClass.choices)
    currency = models.CharField(max_length=10, validators=[currency_validator])
    multiplier = models.DecimalField(
        max_digits=20, decimal_places=6, default=1, validators=[MinValueValidator(0)]
    )
    margin_rate = models.DecimalField(
        max_digits=8, decimal_places=6, default=0, help_text="Initial-margin fraction of notional, e.g. 0.10."
    )
    underlying = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="derivatives"
    )
    option_type = models.CharField(max_length=4, choices=OptionType.choices, blank=True, default="")
    strike = models.DecimalField(max_digits=28, decimal_places=10, null=True, blank=True)
    expiry = models.DateField(null=True, blank=True)
    dividend_yield = models.DecimalField(max_digits=8, decimal_places=6, default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["symbol"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(asset_class="option")
                | (
                    Q(underlying__isnull=False)
                    & Q(strike__isnull=False)
                    & Q(expiry__isnull=False)
                    & ~Q(option_type="")
                ),
                name="instrument_option_terms_complete",
            )
        ]

    def __str__(self) -> str:
        return self.symbol

    @property
    def is_option(self) -> bool:
        return self.asset_class == AssetClass.OPTION


class Price(models.Model):
    """The latest mark of an instrument (one row per instrument, upserted by the feed)."""

    instrument = models.OneToOneField(Instrument, on_delete=models.CASCADE, related_name="mark")
    price = models.DecimalField(max_digits=28, decimal_places=10)
    as_of = models.DateTimeField()
    implied_vol = models.DecimalField(max_digits=12, decimal_places=8, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["instrument__symbol"]

    def __str__(self) -> str:
        return f"{self.instrument.symbol} {self.price} @ {self.as_of:%Y-%m-%d %H:%M}"


class FxRate(models.Model):
    """Latest rate: 1 unit of `base` costs `rate` units of `quote`."""

    base = models.CharField(max_length=10, validators=[currency_validator])
    quote = models.CharField(max_length=10, validators=[currency_validator])
    rate = models.DecimalField(max_digits=28, decimal_places=10)
    as_of = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["base", "quote"]
        constraints = [models.UniqueConstraint(fields=["base", "quote"], name="fxrate_unique_pair")]

    def __str__(self) -> str:
        return f"{self.base}/{self.quote} {self.rate}"


class PriceHistory(models.Model):
    """Daily close of an instrument, for VaR and backtests."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="history")
    date = models.DateField()
    close = models.DecimalField(max_digits=28, decimal_places=10)

    class Meta:
        ordering = ["instrument__symbol", "date"]
        constraints = [models.UniqueConstraint(fields=["instrument", "date"], name="pricehistory_unique_day")]
        verbose_name_plural = "price history"

    def __str__(self) -> str:
        return f"{self.instrument.symbol} {self.date} {self.close}"


class RiskFreeRate(models.Model):
    """Continuously compounded risk-free rate per currency (0.05 = 5%)."""

    currency = models.CharField(max_length=10, unique=True, validators=[currency_validator])
    rate = models.DecimalField(max_digits=12, decimal_places=8)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["currency"]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate}"


class Fill(models.Model):
    """An execution. Immutable: corrections are new fills. Unique per (account, fill_id)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="fills")
    strategy = models.ForeignKey(
        Strategy, null=True, blank=True, on_delete=models.PROTECT, related_name="fills"
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="fills")
    fill_id = models.CharField(max_length=128)
    side = models.CharField(max_length=4, choices=Side.choices)
    quantity = models.DecimalField(max_digits=28, decimal_places=10)
    price = models.DecimalField(max_digits=28, decimal_places=10)
    fee = models.DecimalField(max_digits=28, decimal_places=10, default=0)
    executed_at = models.DateTimeField()
    check_id = models.UUIDField(null=True, blank=True, db_index=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    # PROTECT: who did it must survive the user (deactivate users rather than delete them).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["executed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "fill_id"], name="fill_unique_id_per_account"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="fill_quantity_positive"),
        ]
        indexes = [models.Index(fields=["account", "executed_at"])]

    def __str__(self) -> str:
        return f"{self.account.code} {self.fill_id}: {self.side} {self.quantity} {self.instrument.symbol}"


class Position(models.Model):
    """Derived state per (account, strategy, instrument); strategy null = the account's unassigned book."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="positions")
    strategy = models.ForeignKey(
        Strategy, null=True, blank=True, on_delete=models.CASCADE, related_name="positions"
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="positions")
    quantity = models.DecimalField(max_digits=28, decimal_places=10, default=0)
    avg_price = models.DecimalField(max_digits=28, decimal_places=10, default=0)
    realized_pnl = models.DecimalField(max_digits=28, decimal_places=10, default=0)
    fees = models.DecimalField(max_digits=28, decimal_places=10, default=0)
    # The state when the current risk day began, for daily P&L (see positions/ledger/valuation.py).
    # Taken before the first fill executed in a new risk day; stale (older day_start_at) means no fill
    # since, so the current state is the day-start state.
    day_start_at = models.DateTimeField(null=True, blank=True)
    day_start_quantity = models.DecimalField(max_digits=28, decimal_places=10, default=0)
    day_start_avg_price = models.DecimalField(max_digits=28, decimal_places=10, default=0)
    day_start_realized_pnl = models.DecimalField(max_digits=28, decimal_places=10, default=0)
    day_start_fees = models.DecimalField(max_digits=28, decimal_places=10, default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account__code", "instrument__symbol"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "strategy", "instrument"],
                condition=Q(strategy__isnull=False),
                name="position_unique_with_strategy",
            ),
            models.UniqueConstraint(
                fields=["account", "instrument"],
                condition=Q(strategy__isnull=True),
                name="position_unique_without_strategy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account.code} {self.instrument.symbol} {self.quantity}"


class CashMovement(models.Model):
    """A deposit (+) or withdrawal (-). Idempotent on (account, movement_id)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="cash_movements")
    movement_id = models.CharField(max_length=128)
    currency = models.CharField(max_length=10, validators=[currency_validator])
    amount = models.DecimalField(max_digits=28, decimal_places=10)
    reason = models.CharField(max_length=500, blank=True, default="")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # PROTECT: who did it must survive the user (deactivate users rather than delete them).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "movement_id"], name="cashmovement_unique_id_per_account"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account.code} {self.movement_id}: {self.amount} {self.currency}"


class CashBalance(models.Model):
    """Cash per currency: movements + realized P&L - fees. Derived; rebuilt with positions."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="cash_balances")
    currency = models.CharField(max_length=10, validators=[currency_validator])
    amount = models.DecimalField(max_digits=28, decimal_places=10, default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account__code", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["account", "currency"], name="cashbalance_unique_currency")
        ]

    def __str__(self) -> str:
        return f"{self.account.code} {self.amount} {self.currency}"
