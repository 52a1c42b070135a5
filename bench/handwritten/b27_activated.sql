-- Created a project after signing up, within 7 days.
SELECT DISTINCT u.user_id
FROM analytics.users AS u
JOIN analytics.events AS s
  ON s.user_id = u.user_id AND s.event_name = 'signup' AND s.occurred_at < TIMESTAMP '{as_of}'
JOIN analytics.events AS p
  ON p.user_id = s.user_id AND p.event_name = 'project_created'
 AND p.occurred_at > s.occurred_at
 AND p.occurred_at <= s.occurred_at + INTERVAL 7 DAY
 AND p.occurred_at < TIMESTAMP '{as_of}'
