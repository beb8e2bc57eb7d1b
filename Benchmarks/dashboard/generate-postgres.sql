-- Appends :rows generated request rows to a migrated PostgreSQL ledger (see generate-sqlite.sql).
-- Run through run.sh: psql -v rows=… -v days=… -v now=… -v users=… -f generate-postgres.sql
INSERT INTO request (reservationID, timeMs, keyID, userName, feature, endpoint, modelRequested, modelServed, upstream,
    inputTokens, outputTokens, cachedInputTokens, cacheWriteTokens, cacheWrite1hTokens, reasoningTokens, audioInputTokens, audioOutputTokens,
    costMicros, costFemtos, savingMicros, savingFemtos, cacheHit, status, errorCode, latencyMicros, upstreamLatencyMicros, estimated, stream)
SELECT NULL,
    :now::bigint - :days::bigint * 86400000 + (i * (:days::bigint * 86400000 / :rows)) + (random() * 999)::bigint,
    NULL,
    'user' || floor(random() * random() * :users)::bigint,
    (ARRAY['chat', 'chat', 'search', 'digest', NULL])[1 + floor(random() * 5)::int],
    '/v1/chat/completions', 'gpt-4o-mini',
    (ARRAY['gpt-4o', 'claude-3-5-haiku-20241022', 'gpt-4o-mini', 'gpt-4o-mini'])[1 + floor(random() * 4)::int],
    'openai',
    500 + floor(random() * 3000)::bigint, 50 + floor(random() * 600)::bigint, floor(random() * 500)::bigint, 0, 0, floor(random() * 50)::bigint, 0, 0,
    floor(random() * 20000)::bigint, floor(random() * 1000000000)::bigint, 0, 0,
    0, CASE WHEN random() < 0.02 THEN 429 ELSE 200 END, NULL,
    20000 + floor(random() * 900000)::bigint, NULL, 0, 0
FROM generate_series(0, :rows - 1) AS i;
UPDATE request SET errorCode = CASE id % 2 WHEN 0 THEN 'budget_exceeded' ELSE 'rate_limit_exceeded' END, costMicros = 0, costFemtos = 0, modelServed = NULL WHERE status = 429;
UPDATE request SET cacheHit = 1, savingMicros = costMicros, savingFemtos = costFemtos, costMicros = 0, costFemtos = 0 WHERE status = 200 AND id % 10 = 3;
VACUUM ANALYZE request;
