-- Signed up and created a project strictly later, at most a day after, both in the last
-- 90 days: the two steps' events of the window read in one scan (materialized), then a
-- range join on the user.
WITH steps AS MATERIALIZED (
  SELECT user_id, event_name, occurred_at
  FROM analytics.events
  WHERE event_name IN ('signup', 'project_created')
    AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY
    AND occurred_at < TIMESTAMP '{as_of}'
)
SELECT DISTINCT s.user_id
FROM steps AS s
JOIN steps AS p
  ON p.user_id = s.user_id
 AND p.occurred_at > s.occurred_at
 AND p.occurred_at <= s.occurred_at + INTERVAL 1 DAY
WHERE s.event_name = 'signup'
  AND p.event_name = 'project_created'
  AND s.user_id IN (SELECT user_id FROM analytics.users)
