"""The pre-trade check service: snapshot from the database, the pure engine, reservations, REST-free.

Entry points are in service.py (check_order, check_batch, check_release).
"""
