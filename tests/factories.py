"""factory_boy factories for the foundation models. Apps add their own next to their tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from accounts.models import Account, AccountGroup, Membership, Strategy
from positions.models import FxRate, Instrument, Price, PriceHistory, RiskFreeRate


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("pw-for-tests-1")


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ACC-{n + 100}")
    name = factory.LazyAttribute(lambda o: f"Account {o.code}")
    base_currency = "USD"


class StrategyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Strategy
        django_get_or_create = ("account", "code")

    account = factory.SubFactory(AccountFactory)
    code = factory.Sequence(lambda n: f"strat{n}")
    name = factory.LazyAttribute(lambda o: f"Strategy {o.code}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory)
    role = "trader"


class AccountGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountGroup
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"DESK-{n}")
    name = factory.LazyAttribute(lambda o: f"Desk {o.code}")
    base_currency = "USD"


class InstrumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instrument
        django_get_or_create = ("symbol",)

    symbol = factory.Sequence(lambda n: f"SYM{n}")
    asset_class = "equity"
    currency = "USD"
    multiplier = Decimal("1")
    margin_rate = Decimal("0.10")


class PriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Price
        django_get_or_create = ("instrument",)

    instrument = factory.SubFactory(InstrumentFactory)
    price = Decimal("100")
    as_of = factory.LazyFunction(lambda: datetime.now(UTC))


class FxRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FxRate
        django_get_or_create = ("base", "quote")

    base = "EUR"
    quote = "USD"
    rate = Decimal("1.10")
    as_of = factory.LazyFunction(lambda: datetime.now(UTC))


class PriceHistoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceHistory

    instrument = factory.SubFactory(InstrumentFactory)
    date = factory.Sequence(lambda n: date(2024, 1, 1) + timedelta(days=n))
    close = Decimal("100")


class RiskFreeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskFreeRate
        django_get_or_create = ("currency",)

    currency = "USD"
    rate = Decimal("0.05")
