import { readFileSync, statSync } from "node:fs";
import { Ajv, type ErrorObject } from "ajv";
import resultSchema from "../../schema/result.schema.json" with { type: "json" };
import { UserError } from "../errors.js";
import { restoreNoValues } from "./no-value.js";
import { type ResultDocument, SCHEMA_VERSION } from "./types.js";

/** Validates an untrusted Result (or baseline) document where it enters. Throws UserError naming the file and field. */
let validator: ReturnType<Ajv["compile"]> | undefined;

/** The largest Result file read: far above any real one, small enough that a forged one cannot exhaust memory. */
export const MAX_RESULT_BYTES = 20 * 1024 * 1024;

export function parseResultDocument(text: string, source: string): ResultDocument {
  const data = parseJson(text, source);
  const fail: Fail = (field, expected, found) => {
    throw new UserError(
      `${source}: ${field}: expected ${expected}, found ${JSON.stringify(found)?.slice(0, 80)}. Give a file written by loadgate --json (schemaVersion ${SCHEMA_VERSION}).`,
    );
  };
  if (typeof data !== "object" || data === null || Array.isArray(data)) fail("(top level)", "an object", data);
  const doc = data as Record<string, unknown>;
  if (doc.schemaVersion !== SCHEMA_VERSION) fail("schemaVersion", String(SCHEMA_VERSION), doc.schemaVersion);
  if (!Array.isArray(doc.results) || doc.results.length === 0) fail("results", "a non-empty list", doc.results);
  (doc.results as unknown[]).forEach((r, i) => {
    checkStackResult(r, `results[${i}]`, fail);
  });
  checkSchema(data, source);
  restoreNoValues(doc.results as unknown[], fail);
  return doc as unknown as ResultDocument;
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(
      `${source}: not valid JSON (${(err as Error).message}). Give a file written by loadgate --json.`,
    );
  }
}

type Fail = (field: string, expected: string, found: unknown) => never;

/** One entry of `results`: the fields the verdict and the reports read. */
function checkStackResult(r: unknown, at: string, fail: Fail): void {
  const o = r as Record<string, unknown>;
  if (typeof o !== "object" || o === null) fail(at, "an object", r);
  const stack = o.stack as Record<string, unknown> | undefined;
  if (typeof stack?.name !== "string") fail(`${at}.stack.name`, "text", stack?.name);
  const env = o.environment as Record<string, unknown> | undefined;
  if (typeof env?.id !== "string") fail(`${at}.environment.id`, "text", env?.id);
  // A cost-only run (loadgate cost) or a capacity search has no timed trials; any other has at least one.
  if (o.cost !== undefined) checkCost(o.cost, `${at}.cost`, fail);
  if (o.capacity !== undefined) checkCapacity(o.capacity, `${at}.capacity`, fail);
  if (!Array.isArray(o.trials) || (o.trials.length === 0 && o.cost === undefined && o.capacity === undefined))
    fail(`${at}.trials`, "a non-empty list", o.trials);
  (o.trials as Record<string, unknown>[]).forEach((t, j) => {
    checkTrial(t, `${at}.trials[${j}]`, fail);
  });
  checkSummary(o.summary, `${at}.summary`, fail);
}

function checkCapacity(capacity: unknown, at: string, fail: Fail): void {
  const c = capacity as Record<string, unknown> | null;
  for (const k of ["sloP99Ms", "rate", "closedLoopThroughput"])
    if (typeof c?.[k] !== "number") fail(`${at}.${k}`, "a number", c?.[k]);
  if (!Array.isArray(c?.probes)) fail(`${at}.probes`, "a list", c?.probes);
}

function checkTrial(t: Record<string, unknown>, at: string, fail: Fail): void {
  if (typeof t?.throughput !== "number") fail(`${at}.throughput`, "a number", t?.throughput);
  checkLatency(t.latency, `${at}.latency`, fail);
  // Optional: Results written before it was recorded have no `tail`.
  const tail = t.tail as Record<string, unknown> | undefined;
  if (tail !== undefined && typeof tail?.p99 !== "number") fail(`${at}.tail.p99`, "a number", tail?.p99);
}

/** Percentiles and max; NaN (no response) is written as null. */
function checkLatency(latency: unknown, at: string, fail: Fail): void {
  const lat = latency as Record<string, unknown> | undefined;
  for (const k of ["p50", "p90", "p99", "p999", "max"]) {
    if (typeof lat?.[k] !== "number" && lat?.[k] !== null) fail(`${at}.${k}`, "a number", lat?.[k]);
  }
}

function checkSummary(summary: unknown, at: string, fail: Fail): void {
  if (typeof summary !== "object" || summary === null) fail(at, "an object", summary);
  // Optional: older Results have no pooled percentiles.
  const pooled = (summary as Record<string, unknown>).pooled as Record<string, unknown> | undefined;
  if (pooled !== undefined) {
    if (typeof pooled !== "object" || pooled === null) fail(`${at}.pooled`, "an object", pooled);
    if (typeof pooled.requests !== "number") fail(`${at}.pooled.requests`, "a number", pooled.requests);
    checkLatency(pooled.latency, `${at}.pooled.latency`, fail);
  }
}

/**
 * The published schema (schema/result.schema.json): types, enums and size caps for everything a
 * report shows, so a forged file is refused here rather than rendered.
 */
function checkSchema(data: unknown, source: string): void {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(resultSchema);
  if (validator(data)) return;
  // The deepest error names the field: an anyOf (null or an object) otherwise reports its parent.
  const e = [...(validator.errors ?? [])]
    .filter((x) => x.keyword !== "anyOf")
    .sort((a, b) => b.instancePath.split("/").length - a.instancePath.split("/").length)[0] as ErrorObject;
  const field =
    e.instancePath
      .slice(1)
      .replace(/\/(\d+)/g, "[$1]")
      .replace(/\//g, ".") || "(top level)";
  throw new UserError(
    `${source}: ${field}: ${e.message ?? e.keyword}${e.keyword === "enum" ? ` (${((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).join(", ")})` : ""}. The file does not match schema/result.schema.json; give a Result written by loadgate --json (schemaVersion ${SCHEMA_VERSION}).`,
  );
}

/** A cost record's fields that the verdict and the reports read. */
function checkCost(c: unknown, at: string, fail: Fail): void {
  if (typeof c !== "object" || c === null || Array.isArray(c)) fail(at, "an object", c);
  const o = c as Record<string, unknown>;
  const positive = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v > 0;
  if (!Array.isArray(o.chunks) || o.chunks.length < 2 || !o.chunks.every(positive))
    fail(`${at}.chunks`, "a list of at least 2 positive numbers", o.chunks);
  for (const k of ["perRequest", "chunkRequests"]) if (!positive(o[k])) fail(`${at}.${k}`, "a positive number", o[k]);
  for (const k of ["spread", "idlePerSecond", "warmupRequests", "seconds"])
    if (typeof o[k] !== "number" || !Number.isFinite(o[k] as number) || (o[k] as number) < 0)
      fail(`${at}.${k}`, "a number ≥ 0", o[k]);
  for (const k of ["valgrind", "command"]) if (typeof o[k] !== "string") fail(`${at}.${k}`, "text", o[k]);
  if (!Array.isArray(o.processes)) fail(`${at}.processes`, "a list", o.processes);
  if (!Array.isArray(o.warnings) || !o.warnings.every((w) => typeof w === "string"))
    fail(`${at}.warnings`, "a list of text", o.warnings);
  if (!Array.isArray(o.chunkSeconds)) fail(`${at}.chunkSeconds`, "a list", o.chunkSeconds);
  const f = o.fingerprint as Record<string, unknown> | undefined;
  if (typeof f !== "object" || f === null) fail(`${at}.fingerprint`, "an object", f);
  for (const k of ["arch", "guestCpu", "valgrind"])
    if (typeof f?.[k] !== "string") fail(`${at}.fingerprint.${k}`, "text", f?.[k]);
  const v = f?.versions as Record<string, unknown> | undefined;
  if (typeof v !== "object" || v === null || !Object.values(v).every((x) => typeof x === "string"))
    fail(`${at}.fingerprint.versions`, "an object of text", v);
}

export function readResultFile(file: string): ResultDocument {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_RESULT_BYTES) {
      throw new UserError(
        `${file}: ${size} bytes, more than the ${MAX_RESULT_BYTES} a Result may have; refused (a loadgate Result is a few hundred kB at most).`,
      );
    }
    text = readFileSync(file, "utf8");
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? err}).`);
  }
  return parseResultDocument(text, file);
}
