-- Appends :rows generated request rows to a migrated SQLite ledger, in time order over the
-- :days days before :now (Unix ms). Run through run.sh, which substitutes the parameters.
-- Users are skewed (the product of two uniform draws), so a few users dominate spend.
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -262144;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < :rows - 1)
INSERT INTO request (reservationID, timeMs, keyID, userName, feature, endpoint, modelRequested, modelServed, upstream,
    inputTokens, outputTokens, cachedInputTokens, cacheWriteTokens, cacheWrite1hTokens, reasoningTokens, audioInputTokens, audioOutputTokens,
    costMicros, costFemtos, savingMicros, savingFemtos, cacheHit, status, errorCode, latencyMicros, upstreamLatencyMicros, estimated, stream)
SELECT NULL,
    :now - :days * 86400000 + (i * (:days * 86400000 / :rows)) + abs(random()) % 1000,
    NULL,
    'user' || CAST(((abs(random()) % 1000) / 1000.0) * ((abs(random()) % 1000) / 1000.0) * :users AS INTEGER),
    CASE abs(random()) % 5 WHEN 0 THEN 'chat' WHEN 1 THEN 'chat' WHEN 2 THEN 'search' WHEN 3 THEN 'digest' ELSE NULL END,
    '/v1/chat/completions', 'gpt-4o-mini',
    CASE abs(random()) % 4 WHEN 0 THEN 'gpt-4o' WHEN 1 THEN 'claude-3-5-haiku-20241022' ELSE 'gpt-4o-mini' END,
    'openai',
    500 + abs(random()) % 3000, 50 + abs(random()) % 600, abs(random()) % 500, 0, 0, abs(random()) % 50, 0, 0,
    abs(random()) % 20000, abs(random()) % 1000000000, 0, 0,
    0, CASE WHEN abs(random()) % 50 = 0 THEN 429 ELSE 200 END, NULL,
    20000 + abs(random()) % 900000, NULL, 0, 0
FROM n;
-- A few refusals and cache hits with their codes and savings.
UPDATE request SET errorCode = CASE id % 2 WHEN 0 THEN 'budget_exceeded' ELSE 'rate_limit_exceeded' END, costMicros = 0, costFemtos = 0, modelServed = NULL WHERE status = 429;
UPDATE request SET cacheHit = 1, savingMicros = costMicros, savingFemtos = costFemtos, costMicros = 0, costFemtos = 0 WHERE status = 200 AND id % 10 = 3;
COMMIT;
ANALYZE;
