-- Logged in at least 5 times in the last 30 days (events of unknown users ignored).
SELECT e.user_id
FROM analytics.events AS e
WHERE e.event_name = 'login'
  AND e.occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY
  AND e.occurred_at < TIMESTAMP '{as_of}'
  AND e.user_id IN (SELECT user_id FROM analytics.users)
GROUP BY e.user_id
HAVING count(*) >= 5
