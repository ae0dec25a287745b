-- loadgate: seed data for the "Async Python is not faster" rows.
--
-- 1,000,000 rows: a = 0 .. 999,999; b = 20 random ASCII letters (A-Z, a-z).
--
-- Generated entirely in SQL and deterministic: setseed() fixes this session's
-- random() sequence and one serial INSERT consumes it in generate_series
-- order, so every run yields the same rows (on the same PostgreSQL major
-- version: since PostgreSQL 15 random() is pg_prng, xoshiro128**).
--
-- Speed: picking 20 single letters with text substr() costs ~8 s per million
-- rows (text functions are slow in UTF-8 databases). Instead we build a
-- bytea of all 52*52 = 2704 two-letter pairs once and take 10 uniformly
-- random pairs per row with bytea substring(), which is O(1). Each letter is
-- still uniform and independent over A-Z a-z.
--
-- Expects the empty table from schema.sql (stacks/django: from its Django
-- migration, run by database.setup). No ANALYZE or prewarm here: the tool
-- does that after seeding.

-- Parallel workers would have their own random() state; keep the plan
-- serial so the sequence is consumed in one deterministic order.
SET max_parallel_workers_per_gather = 0;
-- Throwaway benchmark data: no need to wait for the WAL flush at commit.
SET synchronous_commit = off;

SELECT setseed(0.42);

INSERT INTO test (a, b)
WITH pairs(x) AS MATERIALIZED (
    -- 'AAAB...zyzz' as bytes; ordered by position, not by collation.
    SELECT convert_to(string_agg(substr(l.s, i, 1) || substr(l.s, j, 1), '' ORDER BY i, j), 'UTF8')
    FROM (VALUES ('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz')) AS l(s),
         generate_series(1, 52) AS i,
         generate_series(1, 52) AS j
)
SELECT g.i,
       convert_from(
           substring((SELECT x FROM pairs) FROM 1 + 2 * floor(random() * 2704)::int FOR 2)
        || substring((SELECT x FROM pairs) FROM 1 + 2 * floor(random() * 2704)::int FOR 2)
        || substring((SELECT x FROM pairs) FROM 1 + 2 * floor(random() * 2704)::int FOR 2)
        || substring((SELECT x FROM pairs) FROM 1 + 2 * floor(random() * 2704)::int FOR 2)
        || substring((SELECT x FROM pairs) FROM 1 + 2 * floor(random() * 2704)::int FOR 2)
        || substring((SELECT x FROM pairs) FROM 1 + 2 * floor(random() * 2704)::int FOR 2)
        || substring((SELECT x FROM pairs) FROM 1 + 2 * floor(random() * 2704)::int FOR 2)
        || substring((SELECT x FROM pairs) FROM 1 + 2 * floor(random() * 2704)::int FOR 2)
        || substring((SELECT x FROM pairs) FROM 1 + 2 * floor(random() * 2704)::int FOR 2)
        || substring((SELECT x FROM pairs) FROM 1 + 2 * floor(random() * 2704)::int FOR 2),
           'UTF8')
FROM generate_series(0, 999999) AS g(i);
