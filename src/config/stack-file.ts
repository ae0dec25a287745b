import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { Ajv } from "ajv";
import stackSchema from "../../schema/stack.schema.json" with { type: "json" };
import { passEnvRefusal } from "../child-env.js";
import {
  type CapacityGate,
  DEFAULT_GATE,
  DEFAULT_WORK_GATE,
  GATED_WORK,
  type MetricGate,
  type WorkGate,
  type WorkLimit,
} from "../compare/gate.js";
import { UserError } from "../errors.js";
import { parseDuration, parseErrorRate, parsePercent } from "./duration.js";
import { parseMetricGate, parseWorkLimit } from "./gate-forms.js";
import { dedupe, describe, explain, fieldName, formatProblems, type Problem } from "./stack-file-problems.js";
import {
  type AppSetup,
  COST_DEFAULTS,
  SETUP_TIMEOUT_SECONDS,
  type SetupCommand,
  STACK_DEFAULTS,
  type StackSpec,
  WORK_DEFAULTS,
} from "./stack-spec.js";
import { parseYamlSource, type YamlSource } from "./yaml-source.js";

const STACK_FILE_NAMES = ["stack.yml", "stack.yaml"];

/** A stack argument is a folder holding stack.yml, or the file itself. */
export function resolveStackPath(arg: string, cwd = process.cwd()): string {
  const p = resolve(cwd, arg);
  if (!existsSync(p)) {
    throw new UserError(`${arg}: no such file or folder. Give a stack folder (holding stack.yml) or a stack.yml file.`);
  }
  if (statSync(p).isDirectory()) {
    for (const name of STACK_FILE_NAMES) {
      const f = join(p, name);
      if (existsSync(f)) return f;
    }
    throw new UserError(`${arg}: this folder has no stack.yml. Create one (see docs/stack-file.md).`);
  }
  return p;
}

type Json = Record<string, unknown>;

let validator: ReturnType<Ajv["compile"]> | undefined;
function validate(data: unknown) {
  validator ??= new Ajv({ allErrors: true, verbose: true, strict: false }).compile(stackSchema);
  const ok = validator(data);
  return ok ? [] : (validator.errors ?? []);
}

/** Reads, validates and defaults one stack file. Every problem is reported with file:line:column. */
export function loadStackFile(file: string): StackSpec {
  const src = readStackSource(file);
  const raw = src.data as Json;
  const at: Sections = { src, dir: dirname(file), problems: [] };
  // Problems at the same line and column are listed in the order found: keep this order.
  const database = databaseSection(at, raw.database as Json | "none" | undefined);
  const pooler = poolerSection(at, raw.pooler as Json | "none" | undefined, database);
  const proxy = proxySection(raw.proxy as Json | "none" | undefined);
  const app = appSection(at, raw.app as Json);
  const cost = costSection(at, (raw.cost ?? {}) as Json);
  const work = workSection(raw.work as Json | boolean | undefined);
  const load = loadSection(at, (raw.load ?? {}) as Json);
  const capacity = capacitySection(at, (raw.capacity ?? {}) as Json);
  const gate = gateSection(at, (raw.gate ?? {}) as Json, capacity.sloP99Ms);
  if (at.problems.length > 0) throw new UserError(formatProblems(file, at.problems));
  const lines = keyLines(src, raw, database);
  return Object.freeze({
    name: raw.name as string,
    description: (raw.description as string | undefined) ?? "",
    file,
    dir: at.dir,
    fileHash: createHash("sha256").update(readFileSync(file)).digest("hex"),
    database,
    pooler,
    proxy,
    app,
    load,
    gate,
    capacity,
    cost,
    work,
    lines,
  });
}

/** The file's YAML, with where each value sits, once it is a mapping the schema accepts. */
function readStackSource(file: string): YamlSource {
  const rel = relative(process.cwd(), file) || file;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UserError(`${rel}: cannot read the stack file (${(err as NodeJS.ErrnoException).code ?? err}).`);
  }
  const src = parseYamlSource(text);
  if (src.syntaxErrors.length > 0) {
    throw new UserError(
      `${src.syntaxErrors.map((e) => `${rel}:${e.position.line}:${e.position.column}: YAML syntax error: ${e.message}`).join("\n")}\nFix the YAML and run again.`,
    );
  }
  if (src.data === null || typeof src.data !== "object" || Array.isArray(src.data)) {
    throw new UserError(`${rel}:1:1: expected a mapping with keys name, app, load, ...; found ${describe(src.data)}.`);
  }
  const problems = validate(src.data)
    .map((e) => explain(e, src.locate))
    .filter((p): p is Problem => p !== undefined);
  if (problems.length > 0) throw new UserError(formatProblems(file, dedupe(problems)));
  return src;
}

/**
 * What the section parsers share. The schema has checked each value's form; they check what it
 * cannot (files that must exist, durations above zero, keys that need another), and collect every
 * problem so that one run names them all.
 */
interface Sections {
  src: YamlSource;
  /** The stack file's folder, against which its paths resolve. */
  dir: string;
  problems: Problem[];
}

function problem(at: Sections, path: (string | number)[], text: string, key = false): void {
  at.problems.push({ position: at.src.locate(path, key), field: fieldName(path), text });
}

/** The absolute path of a file (or folder) the stack file names; a problem when it is not there. */
function mustExist(
  at: Sections,
  p: string | undefined,
  path: (string | number)[],
  what: string,
  kind: "file" | "dir" = "file",
): string | null {
  if (p === undefined) return null;
  const abs = resolve(at.dir, p);
  const ok = existsSync(abs) && (kind === "dir" ? statSync(abs).isDirectory() : statSync(abs).isFile());
  if (!ok) {
    problem(
      at,
      path,
      `${what} ${JSON.stringify(p)} not found (looked for ${abs}). Paths are relative to the stack file's folder.`,
    );
  }
  return abs;
}

function textValues(map: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries((map as Json | undefined) ?? {}).map(([k, v]) => [k, String(v)]));
}

function databaseSection(at: Sections, db: Json | "none" | undefined): StackSpec["database"] {
  if (db === "none" || db === undefined) return null;
  return {
    schema: mustExist(at, db.schema as string | undefined, ["database", "schema"], "schema file"),
    seed: mustExist(at, db.seed as string | undefined, ["database", "seed"], "seed file"),
    prewarm: (db.prewarm as boolean | undefined) ?? true,
    setup: databaseSetup(at, db.setup),
    settings: textValues(db.settings),
  };
}

/** database.setup: one command, or a list run in order. */
function databaseSetup(at: Sections, value: unknown): SetupCommand[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [setupCommand(at, value, ["database", "setup"])];
  return value.map((v, i) => setupCommand(at, v, ["database", "setup", i]));
}

/** One setup command (text, or { command, timeout }) at `path`, with its line and bounded timeout. */
function setupCommand(at: Sections, value: unknown, path: (string | number)[]): SetupCommand {
  const entry = (typeof value === "string" ? { command: value } : value) as Json;
  const timeout = entry.timeout === undefined ? SETUP_TIMEOUT_SECONDS : parseDuration(entry.timeout as string | number);
  if (!(timeout > 0)) {
    problem(at, [...path, "timeout"], `expected a duration above zero (e.g. "10m"), found ${describe(entry.timeout)}.`);
  }
  const commandAt = typeof value === "string" ? path : [...path, "command"];
  return { command: entry.command as string, timeoutSeconds: timeout, line: at.src.locate(commandAt).line };
}

function poolerSection(
  at: Sections,
  pooler: Json | "none" | undefined,
  database: StackSpec["database"],
): StackSpec["pooler"] {
  const pgb = pooler && pooler !== "none" ? ((pooler.pgbouncer ?? {}) as Json) : undefined;
  if (database === null && pgb) {
    problem(at, ["pooler"], 'PgBouncer needs a database; set "pooler: none" or add a "database" section.', true);
  }
  if (!pgb) return null;
  return {
    poolMode: (pgb.pool_mode as "session" | "transaction" | "statement" | undefined) ?? "transaction",
    defaultPoolSize: (pgb.default_pool_size as number | undefined) ?? 20,
    maxClientConn: (pgb.max_client_conn as number | undefined) ?? 2000,
  };
}

function proxySection(proxy: Json | "none" | undefined): StackSpec["proxy"] {
  const ngx = proxy && proxy !== "none" ? ((proxy.nginx ?? {}) as Json) : undefined;
  if (!ngx) return null;
  return {
    workerProcesses: (ngx.worker_processes as number | "auto" | undefined) ?? "auto",
    keepalive: (ngx.keepalive as number | undefined) ?? 64,
    upstream: (ngx.upstream as "http" | "uwsgi" | undefined) ?? "http",
  };
}

function appSection(at: Sections, app: Json): StackSpec["app"] {
  const cwd = mustExist(at, (app.cwd as string | undefined) ?? ".", ["app", "cwd"], "folder", "dir") ?? at.dir;
  const setup = app.setup === undefined ? null : appSetup(at, app.setup, cwd);
  const python = pythonSection(at, app.python as Json | undefined);
  const ready = (app.ready ?? {}) as Json;
  return {
    command: app.command as string,
    webserver: (app.webserver as string | undefined) ?? (app.command as string).trim().split(/\s+/)[0],
    framework: (app.framework as string | undefined) ?? "",
    workers: (app.workers as number | "auto" | undefined) ?? STACK_DEFAULTS.workers,
    cwd,
    env: textValues(app.env),
    passEnv: passEnvSection(at, app["pass-env"] as string[] | undefined),
    ready: {
      http: (ready.http as string | undefined) ?? "/",
      timeoutSeconds: parseDuration((ready.timeout as string | number | undefined) ?? "30s"),
    },
    setup,
    python,
  };
}

/** app.pass-env: the names the schema allows, less those never passed (src/child-env.ts). */
function passEnvSection(at: Sections, names: string[] | undefined): string[] {
  for (const [i, name] of (names ?? []).entries()) {
    const refused = passEnvRefusal(name);
    if (refused) problem(at, ["app", "pass-env", i], `${refused} Remove it from the list.`);
  }
  return [...(names ?? [])];
}

/**
 * app.setup: text (run before every bring-up) or { command, files, creates, timeout }. Its paths are
 * relative to the app's folder, where the command runs; the key files must exist.
 */
function appSetup(at: Sections, value: unknown, appDir: string): AppSetup {
  const base = setupCommand(at, value, ["app", "setup"]);
  const entry = (typeof value === "string" ? {} : value) as Json;
  const files = ((entry.files as string[] | undefined) ?? []).map((f, i) => {
    const abs = resolve(appDir, f);
    if (existsSync(appDir) && !existsSync(abs)) {
      problem(
        at,
        ["app", "setup", "files", i],
        `${JSON.stringify(f)} not found (looked for ${abs}). Paths in app.setup are relative to the app's folder (app.cwd, default the stack file's folder); name files that exist before the setup runs, e.g. package-lock.json.`,
      );
    }
    return abs;
  });
  const creates = ((entry.creates as string[] | undefined) ?? []).map((f) => resolve(appDir, f));
  return { ...base, files, creates };
}

function pythonSection(at: Sections, python: Json | undefined): StackSpec["app"]["python"] {
  const requirements = python
    ? mustExist(at, python.requirements as string, ["app", "python", "requirements"], "requirements file")
    : null;
  if (!requirements) return null;
  return {
    requirements,
    interpreter: (python?.python as string | undefined) ?? "python3",
    noDeps: (python?.["no-deps"] as string[] | undefined) ?? [],
  };
}

/** `work: false` turns the work count off; `work: { chunks, chunk-requests }` sizes it (the schema has checked both). */
function workSection(work: Json | boolean | undefined): StackSpec["work"] {
  if (work === false) return null;
  const w = (typeof work === "object" && work !== null ? work : {}) as Json;
  return {
    chunks: (w.chunks as number | undefined) ?? WORK_DEFAULTS.chunks,
    chunkRequests: (w["chunk-requests"] as number | undefined) ?? WORK_DEFAULTS.chunkRequests,
  };
}

function costSection(at: Sections, cost: Json): StackSpec["cost"] {
  const seconds = {
    "ready-timeout": parseDuration(
      (cost["ready-timeout"] as string | number | undefined) ?? `${COST_DEFAULTS.readyTimeoutSeconds}s`,
    ),
    timeout: parseDuration((cost.timeout as string | number | undefined) ?? `${COST_DEFAULTS.requestTimeoutSeconds}s`),
    gap: parseDuration((cost.gap as string | number | undefined) ?? `${COST_DEFAULTS.gapSeconds * 1000}ms`),
  };
  if (!(seconds.gap >= 0)) {
    problem(at, ["cost", "gap"], `expected a duration of zero or more (e.g. "5ms"), found ${describe(cost.gap)}.`);
  }
  for (const key of ["ready-timeout", "timeout"] as const) {
    if (!(seconds[key] > 0)) {
      problem(at, ["cost", key], `expected a duration above zero (e.g. "60s"), found ${describe(cost[key])}.`);
    }
  }
  return {
    command: (cost.command as string | undefined) ?? null,
    env: textValues(cost.env),
    warmupRequests: (cost.warmup as number | undefined) ?? COST_DEFAULTS.warmupRequests,
    chunks: (cost.chunks as number | undefined) ?? COST_DEFAULTS.chunks,
    chunkRequests: (cost["chunk-requests"] as number | undefined) ?? COST_DEFAULTS.chunkRequests,
    readyTimeoutSeconds: seconds["ready-timeout"],
    requestTimeoutSeconds: seconds.timeout,
    gapSeconds: seconds.gap,
  };
}

function loadSection(at: Sections, load: Json): StackSpec["load"] {
  const durationSeconds = parseDuration(
    (load.duration as string | number | undefined) ?? STACK_DEFAULTS.durationSeconds,
  );
  if (durationSeconds <= 0) {
    problem(at, ["load", "duration"], `expected a duration above zero (e.g. "10s"), found ${describe(load.duration)}.`);
  }
  return {
    requests: ((load.requests as Json[] | undefined) ?? [{ path: "/" }]).map((r) => ({
      path: r.path as string,
      method: (r.method as string | undefined) ?? "GET",
      headers: (r.headers as Record<string, string> | undefined) ?? {},
      body: r.body as string | undefined,
    })),
    connections: (load.connections as number | undefined) ?? STACK_DEFAULTS.connections,
    rate: (load.rate as number | undefined) ?? null,
    warmupSeconds: parseDuration((load.warmup as string | number | undefined) ?? STACK_DEFAULTS.warmupSeconds),
    durationSeconds,
    trials: (load.trials as number | undefined) ?? STACK_DEFAULTS.trials,
    timeoutSeconds: parseDuration((load.timeout as string | number | undefined) ?? STACK_DEFAULTS.timeoutSeconds),
    keepalive: (load.keepalive as boolean | undefined) ?? true,
    totalRequests: (load["total-requests"] as number | undefined) ?? null,
    pin: (load.pin as boolean | undefined) ?? false,
    threads: (load.threads as number | "auto" | undefined) ?? 1,
  };
}

function capacitySection(at: Sections, capacity: Json): StackSpec["capacity"] {
  const sloP99 =
    capacity["slo-p99"] === undefined ? null : parseDuration(capacity["slo-p99"] as string | number) * 1000;
  if (sloP99 !== null && !(sloP99 > 0)) {
    problem(
      at,
      ["capacity", "slo-p99"],
      `expected a duration above zero (e.g. "50ms"), found ${describe(capacity["slo-p99"])}.`,
    );
  }
  const probeSeconds = (key: string, fallback: number) => {
    const v = capacity[key] === undefined ? fallback : parseDuration(capacity[key] as string | number);
    if (!(v > 0))
      problem(at, ["capacity", key], `expected a duration above zero (e.g. "3s"), found ${describe(capacity[key])}.`);
    return v;
  };
  return {
    sloP99Ms: sloP99,
    maxProbes: (capacity["max-probes"] as number | undefined) ?? STACK_DEFAULTS.capacityMaxProbes,
    probeWarmupSeconds: probeSeconds("probe-warmup", STACK_DEFAULTS.capacityProbeWarmupSeconds),
    probeSeconds: probeSeconds("probe-duration", STACK_DEFAULTS.capacityProbeSeconds),
  };
}

function gateSection(at: Sections, gate: Json, sloP99Ms: number | null): StackSpec["gate"] {
  if (gate.capacity !== undefined && sloP99Ms === null) {
    problem(
      at,
      ["gate", "capacity"],
      'needs the SLO it is measured at: add capacity: { slo-p99: "50ms" } (the P99 the service must keep).',
    );
  }
  // Absent: the default gate's relative limit and no SLO.
  const p99 = metricGate(at, "p99", gate.p99 as string | string[] | undefined) ?? {
    relative: DEFAULT_GATE.p99,
    slo: DEFAULT_GATE.slo.p99Ms,
  };
  const throughput = metricGate(at, "throughput", gate.throughput as string | string[] | undefined) ?? {
    relative: DEFAULT_GATE.throughput,
    slo: DEFAULT_GATE.slo.throughput,
  };
  return {
    p99: p99.relative,
    throughput: throughput.relative,
    slo: { p99Ms: p99.slo, throughput: throughput.slo },
    // The schema's pattern has already held the value to "<N%" with N from 0 to 100.
    errorRate:
      gate["error-rate"] === undefined ? DEFAULT_GATE.errorRate : parseErrorRate(gate["error-rate"] as string, "<N%"),
    cost: gate.cost === undefined ? null : parsePercent(gate.cost as string),
    capacity: gate.capacity === undefined ? null : parseCapacityGate(gate.capacity as string),
    work: workGate(at, gate),
  };
}

/** gate.statements, gate.rows, gate.pages, gate.connections; each absent key keeps its default. */
function workGate(at: Sections, gate: Json): WorkGate {
  const limits = {} as Record<(typeof GATED_WORK)[number], WorkLimit | null>;
  for (const key of GATED_WORK) {
    if (gate[key] === undefined) {
      limits[key] = DEFAULT_WORK_GATE[key];
      continue;
    }
    const parsed = parseWorkLimit(String(gate[key]));
    if ("limit" in parsed) limits[key] = parsed.limit;
    else {
      problem(at, ["gate", key], parsed.problem);
      limits[key] = null;
    }
  }
  return Object.freeze(limits);
}

/** The schema has checked each form; a list may still name a kind twice. */
function metricGate(
  at: Sections,
  metric: "p99" | "throughput",
  value: string | string[] | undefined,
): MetricGate | undefined {
  if (value === undefined) return undefined;
  const parsed = parseMetricGate(metric, value);
  if ("gate" in parsed) return parsed.gate;
  problem(at, ["gate", metric], parsed.problem);
  return { relative: null, slo: null };
}

/** Line of each top-level key and some nested ones, for annotations that point into the file. */
function keyLines(src: YamlSource, raw: Json, database: StackSpec["database"]): Record<string, number> {
  const app = raw.app as Json;
  const gate = (raw.gate ?? {}) as Json;
  const lines: Record<string, number> = {};
  for (const key of Object.keys(raw)) lines[key] = src.locate([key], true).line;
  for (const key of ["command", "workers", "ready"])
    if (key in app) lines[`app.${key}`] = src.locate(["app", key], true).line;
  for (const key of ["keepalive", "total-requests"])
    if ((raw.load as Json | undefined)?.[key] !== undefined)
      lines[`load.${key}`] = src.locate(["load", key], true).line;
  for (const key of ["p99", "throughput", "error-rate", "cost", "capacity", ...GATED_WORK])
    if (key in gate) lines[`gate.${key}`] = src.locate(["gate", key], true).line;
  if (database) {
    for (const key of ["schema", "seed", "settings"])
      if ((raw.database as Json)[key] !== undefined)
        lines[`database.${key}`] = src.locate(["database", key], true).line;
    for (const key of Object.keys(database.settings))
      lines[`database.settings.${key}`] = src.locate(["database", "settings", key], true).line;
  }
  return lines;
}

/** "-10%" (a drop allowed against the baseline) or ">800/s" (a floor); the schema has checked the form. */
export function parseCapacityGate(value: string): CapacityGate {
  const floor = /^>(\d+(?:\.\d+)?)\/s$/.exec(value.trim());
  if (floor) return { kind: "floor", rate: Number(floor[1]) };
  return { kind: "drop", limit: parsePercent(value) };
}
