// The work count's pure parts: pg_stat_statements rows → counts, logins from logs, settings, the table.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planRun } from "../../src/config/cli-plan.js";
import { workInput } from "../../src/config/overrides.js";
import { WORK_DEFAULTS } from "../../src/config/stack-spec.js";
import { workOnlyPlan } from "../../src/modes/measure.js";
import { workTable } from "../../src/report/work-table.js";
import type { StackResult, WorkCounts } from "../../src/result/types.js";
import { renderPgbouncerIni } from "../../src/stack/configs.js";
import { workSettings } from "../../src/stack/postgres.js";
import { unavailableFor } from "../../src/work/count.js";
import { pgbouncerLogins, postgresLogins } from "../../src/work/logins.js";
import {
  isControl,
  isWrite,
  parseStatementRows,
  rowsWrittenOf,
  STATEMENT_LIMIT,
  type StatementRow,
  statementDelta,
  statementTable,
  totalsOf,
} from "../../src/work/statements.js";
import { summarize } from "../../src/work/summary.js";
import { tempDir } from "../support/temp.js";

const row = (queryid: string, query: string, calls: number, o: Partial<StatementRow> = {}): StatementRow => ({
  queryid,
  toplevel: true,
  calls,
  rows: calls,
  pages: 3 * calls,
  query,
  ...o,
});

describe("statements", () => {
  it("tells transaction and session control from the app's queries", () => {
    for (const q of [
      "BEGIN",
      "commit",
      "ROLLBACK TO SAVEPOINT a",
      "SET application_name = 'x'",
      "discard all",
      "/* pool */ SHOW TRANSACTION ISOLATION LEVEL",
      "START TRANSACTION",
    ])
      expect(isControl(q), q).toBe(true);
    for (const q of [
      "select 1",
      "SELECT a FROM t WHERE a = $1",
      "with x as (select 1) select * from x",
      "update t set b = $1",
      "settle()",
    ])
      expect(isControl(q), q).toBe(false);
  });

  it("tells the statements that change rows (any level) from those that read, and adds their rows", () => {
    for (const q of [
      "INSERT INTO orders (customer_id) VALUES ($1)",
      "  update customers set name = $1 where id = $2",
      "DELETE FROM sessions WHERE expires < now()",
      "MERGE INTO stock s USING incoming i ON s.id = i.id WHEN MATCHED THEN UPDATE SET n = i.n",
      "COPY orders (id, total) FROM STDIN",
      "WITH moved AS (DELETE FROM queue WHERE id = $1 RETURNING *) SELECT * FROM moved",
      "WITH d AS (UPDATE ONLY stock AS s SET n = n - $1 WHERE s.id = $2 RETURNING s.id) SELECT count(*) FROM d",
      "/* app:shop */ INSERT INTO audit VALUES ($1)",
    ])
      expect(isWrite(q), q).toBe(true);
    for (const q of [
      "SELECT * FROM orders WHERE id = $1 FOR UPDATE",
      "SELECT updated_at, deleted FROM insertions",
      "COPY (SELECT * FROM orders) TO STDOUT",
      "WITH recent AS (SELECT * FROM orders ORDER BY id DESC LIMIT $1) SELECT * FROM recent",
      "BEGIN",
    ])
      expect(isWrite(q), q).toBe(false);
    const row = (query: string, rows: number, toplevel = true): StatementRow => ({
      queryid: query,
      toplevel,
      calls: 1,
      rows,
      pages: 1,
      query,
    });
    expect(
      rowsWrittenOf([row("SELECT f($1)", 1), row("INSERT INTO log VALUES ($1)", 2, false), row("SELECT * FROM t", 10)]),
    ).toBe(2);
    expect(rowsWrittenOf([row("SELECT * FROM t", 10)])).toBe(0);
  });

  it("reads psql's JSON (queryid as text keeps its 64 bits; newlines stay data) and refuses anything else", () => {
    const rows = parseStatementRows(
      '[{"queryid":"-9223372036854775807","toplevel":true,"calls":2,"rows":2,"pages":6,"query":"select\\n1"}, \n {"queryid":"5","toplevel":false,"calls":1,"rows":0,"pages":0,"query":"select 2"}]\n',
    );
    expect(rows[0]).toEqual({
      queryid: "-9223372036854775807",
      toplevel: true,
      calls: 2,
      rows: 2,
      pages: 6,
      query: "select\n1",
    });
    expect(rows[1].toplevel).toBe(false);
    expect(() => parseStatementRows('{"a":1}')).toThrow(/JSON array/);
  });

  it("counts what happened between two snapshots: top-level queries apart from control and nested; rows and pages of the top level only", () => {
    const before = [row("1", "select a from t where a = $1", 10), row("2", "BEGIN", 5)];
    const after = [
      row("1", "select a from t where a = $1", 30),
      row("2", "BEGIN", 15),
      row("3", "select f($1)", 2),
      row("4", "insert into log values ($1)", 2, { toplevel: false, rows: 2, pages: 50 }),
    ];
    const delta = statementDelta(before, after);
    expect(delta.map((r) => [r.queryid, r.calls])).toEqual([
      ["1", 20],
      ["2", 10],
      ["3", 2],
      ["4", 2],
    ]);
    // BEGIN's rows (here 10) are not rows returned; the nested insert's pages are inside select f's already.
    expect(totalsOf(delta)).toEqual({ statements: 22, control: 10, nested: 2, rows: 22, pages: 96 });
    expect(statementDelta(after, after)).toEqual([]);
  });

  it("makes the statement table per request, the most called first, capped", () => {
    const delta = Array.from({ length: STATEMENT_LIMIT + 3 }, (_, i) => row(String(i), `select ${i}`, i + 1));
    const t = statementTable(delta, 2);
    expect(t.statements).toHaveLength(STATEMENT_LIMIT);
    expect(t.omitted).toBe(3);
    expect(t.statements[0]).toMatchObject({ text: `select ${STATEMENT_LIMIT + 2}`, calls: (STATEMENT_LIMIT + 3) / 2 });
    expect(statementTable([row("1", "x".repeat(900), 1)], 1).statements[0].text).toHaveLength(500);
  });
});

const counts = (statements: number, o: Partial<WorkCounts> = {}): WorkCounts => ({
  statements,
  control: 2,
  nested: 0,
  rows: statements,
  pages: 3,
  transactions: 1,
  connections: 0,
  serverConnections: 0,
  responseBytes: 48,
  ...o,
});

describe("summary", () => {
  it("takes the chunks' median per count and their range: 0 is exact", () => {
    const s = summarize([counts(1), counts(1), counts(1.5), counts(1, { transactions: null })]);
    expect(s.perRequest.statements).toBe(1);
    expect(s.spread.statements).toBe(0.5);
    expect(s.spread.control).toBe(0);
    expect(s.perRequest.transactions).toBe(1);
    const none = summarize([counts(1, { transactions: null })]);
    expect(none.perRequest.transactions).toBeNull();
    expect(none.spread.transactions).toBeUndefined();
  });

  it("says why a count is missing: no database, no pooler", () => {
    expect(Object.keys(unavailableFor({ database: null, pooler: null }))).toHaveLength(8);
    expect(unavailableFor({ database: null, pooler: null }).statements).toMatch(/database: none/);
    const noPooler = unavailableFor({ database: {} as never, pooler: null });
    expect(Object.keys(noPooler)).toEqual(["transactions"]);
    expect(unavailableFor({ database: {} as never, pooler: {} as never })).toEqual({});
  });
});

describe("logins", () => {
  it("counts the app role's logins in PgBouncer 1.18's and PostgreSQL's log lines, not loadgate_admin's", () => {
    const bouncer = [
      "2025-01-01 00:00:00.000 UTC [9] LOG C-0x1: loadgate/loadgate@127.0.0.1:40000 login attempt: db=loadgate user=loadgate tls=no",
      "2025-01-01 00:00:00.000 UTC [9] LOG C-0x2: pgbouncer/loadgate_admin@127.0.0.1:40002 login attempt: db=pgbouncer user=loadgate_admin tls=no",
      "2025-01-01 00:00:00.000 UTC [9] LOG C-0x3: loadgate/loadgate@127.0.0.1:40004 login attempt: db=loadgate user=loadgate tls=no",
    ].join("\n");
    expect(pgbouncerLogins(bouncer, "loadgate", "loadgate")).toBe(2);
    const pg = [
      "2025-01-01 00:00:00.000 UTC [10] LOG:  connection received: host=127.0.0.1 port=1",
      "2025-01-01 00:00:00.000 UTC [10] LOG:  connection authorized: user=loadgate database=loadgate",
      "2025-01-01 00:00:00.000 UTC [11] LOG:  connection authorized: user=loadgate_admin database=loadgate application_name=psql",
    ].join("\n");
    expect(postgresLogins(pg, "loadgate")).toBe(1);
  });
});

describe("settings", () => {
  it("adds pg_stat_statements to the stack's own shared_preload_libraries", () => {
    expect(workSettings({}).shared_preload_libraries).toBe("pg_stat_statements");
    expect(
      workSettings({ shared_preload_libraries: "auto_explain, 'pg_stat_statements'" }).shared_preload_libraries,
    ).toBe("auto_explain,pg_stat_statements");
    expect(workSettings({ shared_preload_libraries: "auto_explain" })).toMatchObject({
      shared_preload_libraries: "auto_explain,pg_stat_statements",
      "pg_stat_statements.track": "all",
      log_connections: "on",
    });
  });

  it("logs PgBouncer's logins and empties server_check_query only for a work count", () => {
    const base = {
      listenPort: 1,
      postgresPort: 2,
      database: "loadgate",
      user: "loadgate",
      statsUser: "loadgate_admin",
      authFile: "/x",
      poolMode: "transaction",
      defaultPoolSize: 4,
      maxClientConn: 100,
    };
    expect(renderPgbouncerIni({ ...base, countWork: true })).toMatch(
      /^log_connections = 1\n[\s\S]*^server_check_query =\n/m,
    );
    expect(renderPgbouncerIni(base)).toMatch(/^log_connections = 0$/m);
    expect(renderPgbouncerIni(base)).not.toMatch(/server_check_query/);
  });

  it("takes the Action's work input: true, empty or false", () => {
    expect(workInput("")).toEqual({});
    expect(workInput("true")).toEqual({});
    expect(workInput(" false ")).toEqual({ work: false });
    expect(() => workInput("off")).toThrow(/Input work: expected true or false/);
  });
});

describe("the terminal table", () => {
  it("shows each count per request, exact or its spread, and why a count is missing", () => {
    const r = {
      stack: { name: "tiny" },
      work: {
        chunkRequests: 50,
        chunks: [counts(1), counts(1)],
        perRequest: counts(1, { transactions: null }),
        spread: { statements: 0, rows: 0.5 },
        statements: [],
        statementsOmitted: 0,
        unavailable: { transactions: "pooler: none: why" },
        postgresMajor: 15,
        dataHash: null,
        seconds: 1.2,
        warnings: [],
      },
    } as unknown as StackResult;
    const t = workTable(r)!;
    expect(t).toMatch(/^Database work per request, tiny \(2 × 50 requests one at a time, 1\.2 s\):/);
    expect(t).toMatch(/SQL statements\s+1\s+exact/);
    expect(t).toMatch(/rows\s+1\s+chunks 0\.50 apart/);
    expect(t).toMatch(/transactions\s+–\s+not counted: pooler: none: why/);
    expect(workTable({ ...r, work: undefined })).toBeUndefined();
  });
});

describe("loadgate work's plan", () => {
  it("counts with the default size where the stack file says work: false, and does not sweep", () => {
    const dir = tempDir("lg-work-plan-");
    const file = join(dir, "stack.yml");
    writeFileSync(file, "name: demo\napp:\n  command: python3 app.py {port}\n  workers: auto\nwork: false\n");
    const asked = planRun([file], { cwd: dir, env: { PATH: process.env.PATH }, isTTY: false }, "test", "work");
    expect(asked.stacks[0].work).toBeNull();
    expect(asked.stacks[0].sweep).not.toBeNull();
    const plan = workOnlyPlan(asked);
    expect(plan.workOnly).toBe(true);
    expect(plan.stacks[0].work).toEqual(WORK_DEFAULTS);
    expect(plan.stacks[0].sweep).toBeNull();
    expect(plan.stacks[0].workers).toBe(1);
  });
});
