-- Signed up, created a project within 7 days after, then purchased within 30 days after
-- that project, each step strictly later than the one before, all before as_of. The three
-- steps' events are read in one scan (materialized), then joined step to step on the user
-- with the time ranges.
WITH steps AS MATERIALIZED (
  SELECT user_id, event_name, occurred_at
  FROM analytics.events
  WHERE event_name IN ('signup', 'project_created', 'purchase')
    AND occurred_at < TIMESTAMP '{as_of}'
)
SELECT DISTINCT s.user_id
FROM steps AS s
JOIN steps AS p
  ON p.user_id = s.user_id
 AND p.occurred_at > s.occurred_at
 AND p.occurred_at <= s.occurred_at + INTERVAL 7 DAY
JOIN steps AS q
  ON q.user_id = p.user_id
 AND q.occurred_at > p.occurred_at
 AND q.occurred_at <= p.occurred_at + INTERVAL 30 DAY
WHERE s.event_name = 'signup'
  AND p.event_name = 'project_created'
  AND q.event_name = 'purchase'
  AND s.user_id IN (SELECT user_id FROM analytics.users)
