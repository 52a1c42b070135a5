-- An email starting with "qa" or "test", then digits, then "@": the regular expression
-- (anchored at the start), tested only on the emails with one of the two prefixes.
SELECT user_id
FROM analytics.users
WHERE (email LIKE 'qa%' OR email LIKE 'test%')
  AND regexp_matches(email, '^(qa|test)[0-9]*@')
