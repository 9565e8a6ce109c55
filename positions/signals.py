"""Signals other apps subscribe to, so positions never imports them.

`fill_recorded` is sent once per newly stored fill (never for a replay), with `fill=<Fill>`, INSIDE the
transaction that stores the fill and moves its position and cash. A receiver's writes (e.g. the
limits app consuming the reservation named by `fill.check_id`) are therefore atomic with the fill,
and an exception in a receiver rolls the whole request back (a list of fills included).
Receivers must not do slow or external work here; enqueue it with `transaction.on_commit`.
"""

from __future__ import annotations

import django.dispatch

fill_recorded = django.dispatch.Signal()
