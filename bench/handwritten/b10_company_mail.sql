-- An email with an "@" that does not end with "@gmail.com" (no email is not a member).
SELECT user_id
FROM analytics.users
WHERE contains(email, '@') AND NOT ends_with(email, '@gmail.com')
