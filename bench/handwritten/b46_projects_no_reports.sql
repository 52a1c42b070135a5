-- Created at least 2 projects in the last 90 days and exported no report in them.
SELECT p.user_id
FROM analytics.events AS p
WHERE p.event_name = 'project_created'
  AND p.occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY
  AND p.occurred_at < TIMESTAMP '{as_of}'
  AND p.user_id IN (SELECT user_id FROM analytics.users)
GROUP BY p.user_id
HAVING count(*) >= 2
EXCEPT
SELECT r.user_id
FROM analytics.events AS r
WHERE r.event_name = 'report_exported'
  AND r.occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 90 DAY
  AND r.occurred_at < TIMESTAMP '{as_of}'
