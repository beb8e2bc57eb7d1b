"""The peer for `tokenomics analyze`: the same aggregation in DuckDB.

Reads the JSON-lines log with read_json, prices each event from the same catalog rates (standard
tier, base band; DOUBLE arithmetic), then computes the per-model, per-feature, per-user and
per-user-month group-bys, the nearest-rank quantiles (quantile_disc), top-share and duplicate
counts. Prints a small JSON summary so the two sides can be compared.
"""
import json
import sys

import duckdb

path, rates_path = sys.argv[1], sys.argv[2]
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
con = duckdb.connect()
con.execute(f"SET threads={threads}")
con.execute("CREATE TABLE rates AS SELECT * FROM read_csv(?, header=true)", [rates_path])
con.execute(
    """
    CREATE TABLE e AS
    SELECT j."user" AS u, j.feature, j.model, j.ts, j.input_tokens AS i, j.output_tokens AS o,
           j.cached_input_tokens AS c, j.request_hash AS h,
           (j.input_tokens - j.cached_input_tokens) * r.input + j.cached_input_tokens * r.cached + j.output_tokens * r.output AS cost
    FROM read_json(?, format='newline_delimited', ignore_errors=true, columns={
        'ts': 'TIMESTAMP', 'user': 'VARCHAR', 'feature': 'VARCHAR', 'model': 'VARCHAR',
        'input_tokens': 'BIGINT', 'output_tokens': 'BIGINT', 'cached_input_tokens': 'BIGINT',
        'request_hash': 'VARCHAR'}) j
    LEFT JOIN rates r ON r.model = j.model
    """,
    [path],
)
out = {}
out["events"], out["total_cost"] = con.execute("SELECT count(*), sum(cost) FROM e").fetchone()
out["by_model"] = con.execute("SELECT model, count(*), sum(i), sum(o), sum(c), sum(cost) FROM e GROUP BY model ORDER BY 6 DESC").fetchall()
out["by_feature"] = con.execute("SELECT feature, count(*), sum(cost) FROM e GROUP BY feature ORDER BY 3 DESC").fetchall()
out["by_day"] = len(con.execute("SELECT date_trunc('day', ts), count(*), sum(cost) FROM e GROUP BY 1").fetchall())
out["per_user_monthly"] = con.execute(
    """
    SELECT count(*), avg(m), quantile_disc(m, 0.5), quantile_disc(m, 0.9), quantile_disc(m, 0.99), max(m)
    FROM (SELECT u, date_trunc('month', ts) AS mo, sum(cost) AS m FROM e GROUP BY u, mo)
    """
).fetchone()
out["top_share"] = con.execute(
    """
    WITH pu AS (SELECT u, sum(cost) AS s FROM e GROUP BY u),
         ranked AS (SELECT s, row_number() OVER (ORDER BY s DESC) AS r, count(*) OVER () AS n FROM pu)
    SELECT sum(s) FILTER (WHERE r <= ceil(n * 0.01)) / sum(s), sum(s) FILTER (WHERE r <= ceil(n * 0.05)) / sum(s),
           sum(s) FILTER (WHERE r <= ceil(n * 0.10)) / sum(s)
    FROM ranked
    """
).fetchone()
out["users"] = con.execute("SELECT count(DISTINCT u) FROM e").fetchone()[0]
out["duplicates"] = con.execute("SELECT count(h) - count(DISTINCT h) FROM e").fetchone()[0]
print(json.dumps(out, default=str))
