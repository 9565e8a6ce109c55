"""Token authentication in one raw statement whose SQL is built once per process (DRF's semantics and
messages).

DRF's TokenAuthentication loads the token with `select_related("user").get(key=...)`; on this
platform every request of the order management system authenticates, and compiling that query cost
more than running it. Same statement shape, same errors, built once per process; the row is decoded
by the ORM's own converters (`accounts.raw_rows`), so the token and user equal ORM-loaded ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from accounts.raw_rows import RowLoader


@dataclass(frozen=True)
class _Statement:
    sql: str
    token: RowLoader[Token]
    user: RowLoader[Any]


@cache
def _statement() -> _Statement:
    user_model = get_user_model()
    token, user = RowLoader(Token, "t"), RowLoader(user_model, "u")
    # Table and column names come from the models; the key is bound.
    user_table, user_pk = user_model._meta.db_table, user_model._meta.pk.column
    select = f"SELECT {token.sql}, {user.sql} FROM {Token._meta.db_table} t "  # noqa: S608
    sql = f'{select} JOIN {user_table} u ON u."{user_pk}" = t.user_id WHERE t.key = %s'
    return _Statement(sql=sql, token=token, user=user)


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`; 401 "Invalid token." or "User inactive or deleted." as in DRF."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        statement = _statement()
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        width = statement.token.width
        user = statement.user.load(row[width:])
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = statement.token.load(row[:width])
        token.user = user  # the joined row: `token.user` costs no second query
        return user, token
