"""Writes heavy_usage.csv, the event rows of the `heavy_usage` test (behaviour.seg).

Every column of the events relation is present; empty cells are unset.
Run from this directory: python3 heavy_usage.py
"""

from datetime import datetime, timedelta

rows = []


def event(user, name, at, page=""):
    rows.append((user, name, at.strftime("%Y-%m-%d %H:%M:%S"), page))


day = timedelta(days=1)
hour = timedelta(hours=1)
second = timedelta(seconds=1)
window_start = datetime(2025, 12, 2)  # as_of 2026-01-01T00:00:00Z minus 30 days
as_of = datetime(2026, 1, 1)

# u1: 100 page views every 7 hours (the last on 2025-12-31T03:00), 10 exports,
# logins on 15 days.
for k in range(100):
    event("u1", "page_viewed", datetime(2025, 12, 2, 6) + k * 7 * hour, "/dashboard")
for k in range(10):
    event("u1", "report_exported", datetime(2025, 12, 10, 9) + k * day)
for k in range(15):
    event("u1", "login", datetime(2025, 12, 17, 8) + k * day)

# u2: one short of each threshold.
event("u2", "page_viewed", window_start - second, "/dashboard")
for k in range(99):
    event("u2", "page_viewed", datetime(2025, 12, 3) + k * 6 * hour, "/projects")
for k in range(9):
    event("u2", "report_exported", datetime(2025, 12, 10, 9) + k * day)
event("u2", "report_exported", as_of)
event("u2", "login", window_start - second)
for k in range(14):
    event("u2", "login", datetime(2025, 12, 18, 8) + k * day)
event("u2", "login", datetime(2025, 12, 31, 20))

# u3: the first page view and the first login exactly at the start of the window.
for k in range(100):
    event("u3", "page_viewed", window_start + k * 6 * hour, "/reports")
event("u3", "login", window_start)
for k in range(14):
    event("u3", "login", datetime(2025, 12, 18, 8) + k * day)

with open("heavy_usage.csv", "w") as f:
    f.write("user_id,event_name,occurred_at,page,amount,plan,device\n")
    for user, name, at, page in rows:
        f.write(f"{user},{name},{at},{page},,,\n")
