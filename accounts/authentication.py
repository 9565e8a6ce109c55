"""Token authentication in one raw statement whose SQL is built once per process (DRF's semantics and
messages).

DRF's TokenAuthentication loads the token with `select_related("user").get(key=...)`; on this
platform every request of the order management system authenticates, and compiling that query cost
more than running it. Same statement shape, same errors, built once per process.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from riskplatform.raw_rows import columns, instance


@cache
def _statement() -> str:
    user_model = get_user_model()
    # Table and column names come from the models; the key is bound.
    user_table, user_pk = user_model._meta.db_table, user_model._meta.pk.column
    select = f"SELECT t.created, {columns(user_model, 'u')} FROM {Token._meta.db_table} t "  # noqa: S608
    return f'{select} JOIN {user_table} u ON u."{user_pk}" = t.user_id WHERE t.key = %s'


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`; 401 "Invalid token." or "User inactive or deleted." as in DRF."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        with connection.cursor() as cursor:
            cursor.execute(_statement(), [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = instance(get_user_model(), row[1:])
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = Token(key=key, user=user, created=row[0])
        return user, token
