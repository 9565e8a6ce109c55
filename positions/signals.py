"""Signals other apps subscribe to, so positions never imports them.

`fills_recorded` is sent once per call of `fills_record` that stored at least one new fill, with
`fills=<tuple of Fill>`: the new fills only (never a replay), in the order they were booked, INSIDE
the transaction that stores them and moves their positions and cash (already moved when receivers
run). A receiver's writes (e.g. the limits app consuming the reservations named by the fills'
`check_id`) are therefore atomic with the fills, and an exception in a receiver rolls the whole call
back. A receiver handles the whole tuple at once (a list may hold 100,000 fills): set-based, never a
query per fill. It must not do slow or external work here; enqueue it with `transaction.on_commit`.
"""

from __future__ import annotations

import django.dispatch

fills_recorded = django.dispatch.Signal()
