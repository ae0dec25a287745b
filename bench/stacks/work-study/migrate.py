"""database.setup of bench/stacks/work-study: the migration of the index change.

With WORK_INJECT=index it drops the primary key of `test` (the index of the column every request
looks up), as a migration that drops an index would; otherwise it does nothing. The command is the
same in every variant, so the stack's work.dataHash (schema, setup commands, seed) is too.
"""

import os

import psycopg2

if os.environ.get("WORK_INJECT") == "index":
    with psycopg2.connect(os.environ["DATABASE_URL"]) as conn, conn.cursor() as cur:
        cur.execute("alter table test drop constraint test_pkey")
    conn.close()
