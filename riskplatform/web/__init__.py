"""The risk managers' pages: the site's own login, the firm overview, account and desk pages and the
actions on them (kill switch, limit edits, alert acknowledgement).

They show what every app knows, so they sit above all of them in the project package, as an installed
app of their own (label `web`, for its template filters). Reads come from the apps' selectors (the
check's own snapshot for limits, `limits.checks.book`), writes go through the apps' services, every
permission through the gate (`accounts.scoping`). No inline script or style: CSS and JavaScript are
static files (static/web/), charts are SVG drawn here (charts.py).
"""
