"""One exception handler for the whole API, so no view has to remember these mappings.

- A Django ValidationError raised by a service (model `full_clean`, business rules) is the caller's
  bad input: 400 naming each field, like a serializer error.
- A database or Redis that cannot be reached is 503: the platform fails closed and says so, rather
  than answering 500 or, worse, guessing.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from limits.shared_state import SharedStateUnavailable

logger = logging.getLogger(__name__)


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "A backing service (database or Redis) is unavailable; nothing was decided or stored."
    default_code = "service_unavailable"


def validation_detail(exc: DjangoValidationError) -> Any:
    return exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    elif isinstance(exc, (OperationalError, InterfaceError, redis.RedisError, SharedStateUnavailable)):
        logger.warning("backing service unavailable in %s: %s", context.get("view"), exc)
        exc = ServiceUnavailable()
    return drf_exception_handler(exc, context)
