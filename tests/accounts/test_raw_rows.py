"""Raw reads equal ORM reads: every raw loader decodes its row with the ORM's converters."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, models
from django.template import Context, Template
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.api.serializers import AccountOut
from accounts.audit import change_record
from accounts.models import Account, ChangeLogEntry
from accounts.raw_rows import RowLoader
from accounts.scoping import Action
from positions.models import Instrument
from tests.factories import AccountFactory, InstrumentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _raw(model: type[models.Model], pk: Any) -> models.Model:
    loader = RowLoader(model, "x")
    pk_column = model._meta.pk.column
    with connection.cursor() as cursor:
        sql = f'SELECT {loader.sql} FROM {model._meta.db_table} x WHERE x."{pk_column}" = %s'  # noqa: S608
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    return loader.load(row)


def _fields(instance: models.Model) -> dict[str, tuple[type, Any]]:
    return {
        field.attname: (type(getattr(instance, field.attname)), getattr(instance, field.attname))
        for field in instance._meta.concrete_fields
    }


def _assert_same_as_orm(raw: models.Model, orm: models.Model) -> None:
    assert _fields(raw) == _fields(orm)  # same values *and* the same Python types
    assert (raw._state.adding, raw._state.db) == (orm._state.adding, orm._state.db) == (False, "default")
    for field in orm._meta.concrete_fields:
        if isinstance(field, models.DateTimeField) and getattr(orm, field.attname) is not None:
            assert timezone.is_aware(getattr(raw, field.attname)), field.attname


def test_a_raw_loaded_row_equals_the_orm_row_field_by_field_for_every_kind_of_column() -> None:
    user = UserFactory(is_staff=True, last_login=timezone.now())
    token = Token.objects.create(user=user)
    account = AccountFactory()
    MembershipFactory(user=user, account=account, role="viewer")
    change_record(obj=account, action=ChangeLogEntry.Action.UPDATE, changes={"name": ["a", "b"]}, actor=user)
    entry = ChangeLogEntry.objects.latest("id")
    instrument = InstrumentFactory(symbol="AAPL", margin_rate=Decimal("0.125"), multiplier=Decimal("100"))

    for model, pk in (
        (get_user_model(), user.pk),  # booleans, aware datetimes
        (Token, token.pk),  # a string primary key and a foreign key column
        (Account, account.pk),
        (ChangeLogEntry, entry.pk),  # JSONField: the field's own from_db_value
        (Instrument, instrument.pk),  # decimals with their declared places
    ):
        _assert_same_as_orm(_raw(model, pk), model.objects.get(pk=pk))


def test_token_authentication_loads_the_token_and_user_the_orm_loads() -> None:
    from accounts.authentication import TokenAuthentication

    user = UserFactory(username="oms", last_login=timezone.now())
    key = Token.objects.create(user=user).key

    found, token = TokenAuthentication().authenticate_credentials(key)

    orm_token = Token.objects.select_related("user").get(key=key)
    _assert_same_as_orm(found, orm_token.user)
    _assert_same_as_orm(token, orm_token)
    assert isinstance(token.created, datetime)
    assert timezone.is_aware(found.date_joined)
    assert token.user is found


def test_the_account_scope_loads_the_account_the_orm_loads() -> None:
    from accounts.selectors import account_for_user

    account = AccountFactory(code="ACC-RAW", alert_recipients="a@example.com")
    viewer = UserFactory()
    MembershipFactory(user=viewer, account=account, role="viewer")

    found = account_for_user(user=viewer, code="ACC-RAW", action=Action.VIEW)

    _assert_same_as_orm(found, Account.objects.get(pk=account.pk))


@override_settings(TIME_ZONE="America/New_York")
def test_under_a_non_utc_time_zone_a_raw_loaded_account_renders_as_the_orm_one() -> None:
    from accounts.selectors import account_for_user

    account = AccountFactory(code="ACC-NY")
    staff = UserFactory(is_staff=True)
    timezone.activate("America/New_York")
    try:
        raw = account_for_user(user=staff, code="ACC-NY", action=Action.VIEW)
        orm = Account.objects.get(pk=account.pk)
        template = Template("{{ a.created_at|date:'c' }} {{ a.updated_at }}")

        assert AccountOut(raw).data == AccountOut(orm).data
        assert template.render(Context({"a": raw})) == template.render(Context({"a": orm}))
        assert timezone.localtime(raw.created_at) == timezone.localtime(orm.created_at)
        assert timezone.localtime(raw.created_at).tzname() == timezone.localtime(orm.created_at).tzname()
    finally:
        timezone.deactivate()
