-- Purchased in at least 2 of the last 3 months, months counted back from as_of by the
-- calendar ([as_of - 1 month, as_of) is the latest).
SELECT u.user_id
FROM analytics.users AS u
JOIN (
  SELECT user_id
  FROM analytics.events
  WHERE event_name = 'purchase'
    AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 3 MONTH
    AND occurred_at < TIMESTAMP '{as_of}'
  GROUP BY user_id
  HAVING bool_or(occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 1 MONTH)::INT
       + bool_or(occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 2 MONTH
                 AND occurred_at < TIMESTAMP '{as_of}' - INTERVAL 1 MONTH)::INT
       + bool_or(occurred_at < TIMESTAMP '{as_of}' - INTERVAL 2 MONTH)::INT >= 2
) AS p ON p.user_id = u.user_id
