-- Purchased or changed plan in the last 30 days: the users with such an event (semi
-- join, so no DISTINCT), from one scan of the window for both names. The reader takes
-- `=` and ranges but only prunes row groups with an IN list, so the range that holds both
-- names ('plan_changed' <= name <= 'purchase') is tested inside it and the exact list
-- after it.
SELECT u.user_id
FROM analytics.users AS u
SEMI JOIN (
  SELECT user_id
  FROM analytics.events
  WHERE event_name >= 'plan_changed' AND event_name <= 'purchase'
    AND event_name IN ('purchase', 'plan_changed')
    AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY
    AND occurred_at < TIMESTAMP '{as_of}'
) AS e ON e.user_id = u.user_id
