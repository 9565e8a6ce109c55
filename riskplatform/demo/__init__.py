"""Demo data for `manage.py load_demo`: a small firm, its instruments, two years of correlated prices,
a book, limits and backfilled risk reports.

The demo writes through every app's services, so it sits above all of them, in the project package,
as a tiny installed app of its own (`riskplatform.demo`, label `demo`) whose only job is to provide
the `load_demo` command. `universe` and `market` are plain Python/numpy (what to create and the
simulated prices); `firm` and `book` write accounts, market data, cash and fills through the services;
`limits` and `analytics` add the limits and the reports; `loader` puts it together.
"""
