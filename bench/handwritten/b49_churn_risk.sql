-- (b30_lapsed or b26_dormant) on a paid plan (pro or business). Dormant (last login more
-- than 60 days ago) implies lapsed (more than 30), so: a login before as_of - 30 days and
-- none since. The pro and business users, without a login in the last 30 days (anti
-- join), with one before them (semi join: the old logins probe the few users left, with
-- no aggregate over the whole login history). Never logged in is neither.
SELECT u.user_id
FROM analytics.users AS u
ANTI JOIN (
  SELECT user_id
  FROM analytics.events
  WHERE event_name = 'login'
    AND occurred_at >= TIMESTAMP '{as_of}' - INTERVAL 30 DAY
    AND occurred_at < TIMESTAMP '{as_of}'
) AS recent ON recent.user_id = u.user_id
SEMI JOIN (
  SELECT user_id
  FROM analytics.events
  WHERE event_name = 'login' AND occurred_at < TIMESTAMP '{as_of}' - INTERVAL 30 DAY
) AS before ON before.user_id = u.user_id
WHERE u.plan IN ('pro', 'business')
