import { Ajv, type ErrorObject } from "ajv";
import resultSchema from "../../schema/result.schema.json" with { type: "json" };
import { UserError } from "../errors.js";
import { checkDepth, MAX_RESULT_BYTES, readBounded } from "./bounds.js";
import { restoreNoValues } from "./no-value.js";
import { PREVIOUS_SCHEMA_VERSION, type ResultDocument, SCHEMA_VERSION } from "./types.js";

/** Validates an untrusted Result (or baseline) document where it enters. Throws UserError naming the file and field. */
let validator: ReturnType<Ajv["compile"]> | undefined;

export { MAX_RESULT_BYTES };

/**
 * What to do with a Result of the previous schemaVersion that the current checks refuse: it was
 * read (migrated) when it passed them, so only a refresh helps.
 */
export const OLD_VERSION_REFUSED = `It was written by an earlier loadgate (schemaVersion ${PREVIOUS_SCHEMA_VERSION}); Results of that version are read when they pass the checks of schemaVersion ${SCHEMA_VERSION}, and this one does not.`;
export const REFRESH_ADVICE = `Write it again with this loadgate: for a stored baseline, run mode: baseline on the default branch (README: "Keeping the baseline fresh"); for a file, measure again with loadgate --json.`;

/** `refresh`: how to replace a refused document of the previous version, where it was stored. */
export function parseResultDocument(text: string, source: string, refresh = REFRESH_ADVICE): ResultDocument {
  checkDepth(text, source);
  const data = parseJson(text, source);
  const fail: Fail = (field, expected, found) => {
    throw new UserError(
      `${source}: ${field}: expected ${expected}, found ${preview(found)}. Give a file written by loadgate --json (schemaVersion ${SCHEMA_VERSION}).`,
    );
  };
  if (typeof data !== "object" || data === null || Array.isArray(data)) fail("(top level)", "an object", data);
  const doc = data as Record<string, unknown>;
  const previous = doc.schemaVersion === PREVIOUS_SCHEMA_VERSION;
  if (!previous && doc.schemaVersion !== SCHEMA_VERSION)
    fail("schemaVersion", String(SCHEMA_VERSION), doc.schemaVersion);
  // Migration: a document of the previous version is the same shape, only less strictly checked
  // when it was written; it is read as the current version if it passes the current checks.
  if (previous) doc.schemaVersion = SCHEMA_VERSION;
  try {
    checkDocument(doc, source, fail);
  } catch (err) {
    if (previous && err instanceof UserError) throw new UserError(`${err.message} ${OLD_VERSION_REFUSED} ${refresh}`);
    throw err;
  }
  return doc as unknown as ResultDocument;
}

/** The reader's own checks (they name the field in words), then the schema, then null back to NaN. */
function checkDocument(doc: Record<string, unknown>, source: string, fail: Fail): void {
  if (!Array.isArray(doc.results) || doc.results.length === 0) fail("results", "a non-empty list", doc.results);
  (doc.results as unknown[]).forEach((r, i) => {
    checkStackResult(r, `results[${i}]`, fail);
  });
  checkSchema(doc, source);
  restoreNoValues(doc.results as unknown[], fail);
}

/** A short, safe picture of a refused value (it may be anything the file held). */
function preview(found: unknown): string {
  try {
    return String(JSON.stringify(found)).slice(0, 80);
  } catch {
    return typeof found;
  }
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
  // A cost-only run (loadgate cost), a work count alone (loadgate work) or a capacity search has no
  // timed trials; any other has at least one. (The schema has checked the work record's shape.)
  if (o.cost !== undefined) checkCost(o.cost, `${at}.cost`, fail);
  if (o.capacity !== undefined) checkCapacity(o.capacity, `${at}.capacity`, fail);
  const untimed = o.cost !== undefined || o.capacity !== undefined || o.work !== undefined;
  if (!Array.isArray(o.trials) || (o.trials.length === 0 && !untimed))
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
  const segments = e.instancePath.split("/").slice(1);
  const params = e.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
  const key = params.missingProperty ?? params.additionalProperty;
  if (key !== undefined) segments.push(key);
  const field =
    segments
      .map((x) => (/^\d+$/.test(x) ? `[${x}]` : `.${x}`))
      .join("")
      .replace(/^\./, "") || "(top level)";
  throw new UserError(
    `${source}: ${field}: ${schemaMessage(e, valueAt(data, segments))}. The file does not match schema/result.schema.json; give a Result written by loadgate --json (schemaVersion ${SCHEMA_VERSION}).`,
  );
}

/** The schema's complaint in the reader's words: what was expected, and what the file held. */
function schemaMessage(e: ErrorObject, found: unknown): string {
  const params = e.params as { type?: string; allowedValues?: unknown[] };
  if (e.keyword === "required") return "missing (a Result always has it)";
  if (e.keyword === "additionalProperties") return "not a field a Result has (refused, not ignored)";
  if (e.keyword === "type") {
    const names = String(params.type)
      .split(",")
      .map((t) =>
        t === "null" ? "null" : t === "integer" ? "a whole number" : t === "object" ? "an object" : `a ${t}`,
      );
    return `expected ${names.join(" or ")}, found ${preview(found)}`;
  }
  if (e.keyword === "enum") return `${e.message} (${(params.allowedValues ?? []).join(", ")})`;
  return e.message ?? e.keyword;
}

/** The value at a path of the (already bounded) document, for the message. */
function valueAt(data: unknown, segments: readonly string[]): unknown {
  let v = data;
  for (const s of segments) v = typeof v === "object" && v !== null ? (v as Record<string, unknown>)[s] : undefined;
  return v;
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

/** Reads one Result file (size-limited, read through one descriptor) and validates it. */
export function readResultFile(file: string): ResultDocument {
  return parseResultDocument(readBounded(file), file);
}
