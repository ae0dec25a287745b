import { closeSync, openSync, readSync, statSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import type { StackPlan, WorkPlan } from "../config/plan.js";
import type { RequestSpec, StackSpec } from "../config/stack-spec.js";
import { messageOf, StackError } from "../errors.js";
import { chunkSize, requestAt, sendOne } from "../load/one-request.js";
import type { WorkCounts, WorkMetric, WorkRecord } from "../result/types.js";
import { ADMIN_ROLE, APP_ROLE, DB } from "../stack/db-auth.js";
import { psql } from "../stack/psql.js";
import type { RunningStack } from "../stack/stack.js";
import { pgbouncerLogins, postgresLogins } from "./logins.js";
import {
  parseStatementRows,
  rowsWrittenOf,
  STATEMENTS_SQL,
  type StatementRow,
  statementDelta,
  statementTable,
  totalsOf,
} from "./statements.js";
import { summarize, WORK_METRICS } from "./summary.js";

/** What the count reads where: the database through loadgate_admin, the logs by file. */
interface Sources {
  bin: string;
  admin: { socketDir: string; port: number };
  pooler: { port: number; user: string; password: string } | null;
  logs: { postgres: string; pgbouncer: string | null };
}

/** The cumulative readings at one moment. */
interface Reading {
  rows: StatementRow[];
  xacts: number | null;
  poolerLogins: number | null;
  serverLogins: number;
}

/** The part of a log written since `from` (its size when the count began). */
function logSince(file: string, from: number): string {
  const size = statSync(file).size;
  if (size <= from) return "";
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(size - from);
    readSync(fd, buf, 0, buf.length, from);
    return buf.toString("utf8");
  } finally {
    closeSync(fd);
  }
}

async function admin(src: Sources, sql: string): Promise<string> {
  const r = await psql(src.bin, src.admin, DB, ["-Atc", sql]);
  if (r.code !== 0) throw new StackError(`work count: ${sql.slice(0, 60)}… failed: ${r.output.trim()}`);
  return r.output;
}

/** PgBouncer's console: the app database's total transactions (SHOW STATS, live totals). */
async function poolerTransactions(src: Sources): Promise<number | null> {
  if (!src.pooler) return null;
  const r = await psql(src.bin, src.pooler, "pgbouncer", ["-A", "-F", "\t", "-P", "footer=off", "-c", "show stats"]);
  if (r.code !== 0) return null;
  const [head, ...rows] = r.output.trim().split("\n");
  const names = (head ?? "").split("\t");
  const row = rows.map((l) => l.split("\t")).find((c) => c[names.indexOf("database")] === DB);
  const n = Number(row?.[names.indexOf("total_xact_count")]);
  return Number.isFinite(n) ? n : null;
}

async function read(src: Sources, offsets: { postgres: number; pgbouncer: number }): Promise<Reading> {
  const rows = parseStatementRows(await admin(src, STATEMENTS_SQL));
  return {
    rows,
    xacts: await poolerTransactions(src),
    poolerLogins: src.logs.pgbouncer
      ? pgbouncerLogins(logSince(src.logs.pgbouncer, offsets.pgbouncer), DB, APP_ROLE)
      : null,
    serverLogins: postgresLogins(logSince(src.logs.postgres, offsets.postgres), APP_ROLE),
  };
}

/** One chunk's counts per request, from the readings before and after it. */
function chunkCounts(a: Reading, b: Reading, n: number, bytes: number): WorkCounts {
  const t = totalsOf(statementDelta(a.rows, b.rows));
  const per = (v: number | null) => (v === null ? null : v / n);
  const pooled = a.poolerLogins !== null && b.poolerLogins !== null;
  return {
    statements: t.statements / n,
    control: t.control / n,
    nested: t.nested / n,
    rows: t.rows / n,
    pages: t.pages / n,
    transactions: a.xacts !== null && b.xacts !== null ? per(b.xacts - a.xacts) : null,
    connections: pooled ? per(b.poolerLogins! - a.poolerLogins!) : per(b.serverLogins - a.serverLogins),
    serverConnections: per(b.serverLogins - a.serverLogins),
    responseBytes: bytes / n,
  };
}

/** Sends `n` requests of the sequence one at a time from `first`; every answer must be 2xx. Returns the body bytes. */
async function sendChunk(
  stack: RunningStack,
  requests: readonly RequestSpec[],
  first: number,
  n: number,
  o: { agent: http.Agent; timeoutMs: number; signal?: AbortSignal },
): Promise<number> {
  let bytes = 0;
  for (let i = first; i < first + n; i++) {
    o.signal?.throwIfAborted();
    stack.assertAlive();
    const r = requestAt(requests, i);
    let answer: { status: number; bytes: number };
    try {
      answer = await sendOne(o.agent, new URL(stack.url), r, o.timeoutMs);
    } catch (err) {
      throw new StackError(`work count: ${r.method} ${r.path} (request ${i + 1}) failed: ${messageOf(err)}.`);
    }
    if (answer.status < 200 || answer.status > 299) {
      throw new StackError(
        `work count: ${r.method} ${r.path} (request ${i + 1}) answered ${answer.status}; the work count counts only a stack that answers every request with 2xx.`,
      );
    }
    bytes += answer.bytes;
  }
  return bytes;
}

export interface WorkCountContext {
  postgresBin: string | undefined;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/** Why a count is missing, by what the stack has. */
export function unavailableFor(spec: Pick<StackSpec, "database" | "pooler">): Partial<Record<WorkMetric, string>> {
  if (!spec.database) {
    const why = "database: none: the stack has no PostgreSQL to count";
    return Object.fromEntries(WORK_METRICS.filter((m) => m !== "responseBytes").map((m) => [m, why]));
  }
  if (!spec.pooler) {
    return {
      transactions:
        "pooler: none: transactions are counted by PgBouncer (PostgreSQL's pg_stat_database reaches its view up to 10 s late)",
    };
  }
  return {};
}

function sourcesOf(stack: RunningStack, bin: string): Sources | null {
  const db = stack.database;
  const pg = stack.components.find((c) => c.name === "postgres");
  if (!db || !pg || stack.ports.postgres === undefined) return null;
  const bouncer = stack.components.find((c) => c.name === "pgbouncer");
  return {
    bin,
    admin: { socketDir: join(stack.runDir, "pg"), port: stack.ports.postgres },
    pooler:
      bouncer && stack.ports.pgbouncer !== undefined
        ? { port: stack.ports.pgbouncer, user: ADMIN_ROLE, password: db.credentials.adminPassword }
        : null,
    logs: { postgres: pg.logFile, pgbouncer: bouncer?.logFile ?? null },
  };
}

/**
 * Waits until the app's role has run nothing for 300 ms (at most 10 s): requests of the timed trials
 * still queued in the app would otherwise land in the first chunk.
 */
async function quiet(src: Sources, signal: AbortSignal | undefined): Promise<void> {
  const calls = async () => parseStatementRows(await admin(src, STATEMENTS_SQL)).reduce((a, r) => a + r.calls, 0);
  let before = await calls();
  for (let i = 0; i < 33; i++) {
    await new Promise((res) => setTimeout(res, 300));
    signal?.throwIfAborted();
    const now = await calls();
    if (now === before) return;
    before = now;
  }
}

/** The count on a running stack: its database's counters reset, `work.chunks` chunks sent and read. */
export async function workCount(
  stack: RunningStack,
  s: StackPlan,
  work: WorkPlan,
  ctx: WorkCountContext,
): Promise<WorkRecord> {
  const started = Date.now();
  const requests = s.load.requests;
  const perChunk = chunkSize(work.chunkRequests, requests.length);
  const src = ctx.postgresBin ? sourcesOf(stack, ctx.postgresBin) : null;
  let postgresMajor: number | null = null;
  if (src) {
    await admin(src, "create extension if not exists pg_stat_statements");
    await quiet(src, ctx.signal);
    const out = await admin(src, "select pg_stat_statements_reset(); show server_version_num");
    postgresMajor = Math.floor(Number(out.trim().split("\n").at(-1)) / 10000) || null;
  }
  const size = (f: string | null | undefined) => (f ? statSync(f).size : 0);
  const offsets = { postgres: size(src?.logs.postgres), pgbouncer: size(src?.logs.pgbouncer) };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const chunks: WorkCounts[] = [];
  let first: Reading | undefined;
  let last: Reading | undefined;
  try {
    last = src ? await read(src, offsets) : undefined;
    first = last;
    for (let i = 0; i < work.chunks; i++) {
      const opts = { agent, timeoutMs: s.load.timeoutSeconds * 1000, signal: ctx.signal };
      const bytes = await sendChunk(stack, requests, i * perChunk, perChunk, opts);
      // A pool's reset after the answer (a ROLLBACK on return) lands in this chunk, not the next.
      await new Promise((res) => setTimeout(res, 20));
      const now = src ? await read(src, offsets) : undefined;
      chunks.push(now && last ? chunkCounts(last, now, perChunk, bytes) : bytesOnly(bytes / perChunk));
      last = now;
    }
  } finally {
    agent.destroy();
  }
  const total = perChunk * work.chunks;
  const delta = first && last ? statementDelta(first.rows, last.rows) : null;
  const table = delta ? statementTable(delta, total) : { statements: [], omitted: 0 };
  const unavailable = unavailableFor(s.spec);
  for (const c of chunks)
    for (const m of Object.keys(unavailable) as WorkMetric[]) if (m !== "responseBytes") c[m] = null;
  const { perRequest, spread } = summarize(chunks);
  return {
    chunkRequests: perChunk,
    chunks,
    perRequest,
    spread,
    statements: table.statements,
    statementsOmitted: table.omitted,
    unavailable,
    postgresMajor,
    dataHash: stack.database?.fingerprint || null,
    rowsWritten: delta ? rowsWrittenOf(delta) / total : null,
    seconds: (Date.now() - started) / 1000,
    warnings: [],
  };
}

function bytesOnly(responseBytes: number): WorkCounts {
  return {
    statements: null,
    control: null,
    nested: null,
    rows: null,
    pages: null,
    transactions: null,
    connections: null,
    serverConnections: null,
    responseBytes,
  };
}
