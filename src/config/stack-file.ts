import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { Ajv, type ErrorObject } from "ajv";
import stackSchema from "../../schema/stack.schema.json" with { type: "json" };
import { CAPACITY_DEFAULTS } from "../capacity/search.js";
import { type CapacityGate, DEFAULT_GATE } from "../compare/gate.js";
import { UserError } from "../errors.js";
import { ERROR_RATE_FORM, parseDuration, parseErrorRate, parsePercent } from "./duration.js";
import { GATE_FORMS, parseMetricGate } from "./gate-forms.js";
import {
  type AppSetup,
  COST_DEFAULTS,
  SETUP_TIMEOUT_SECONDS,
  type SetupCommand,
  STACK_DEFAULTS,
  type StackSpec,
} from "./stack-spec.js";
import { nearest } from "./suggest.js";
import { type Position, parseYamlSource } from "./yaml-source.js";

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
    throw new UserError(`${arg}: this folder has no stack.yml. Create one (see the README's "Stack file" section).`);
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

function pathOf(instancePath: string): (string | number)[] {
  if (instancePath === "") return [];
  return instancePath
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function fieldName(path: readonly (string | number)[]): string {
  if (path.length === 0) return "(top level)";
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}

const TYPE_NAMES: Record<string, string> = {
  integer: "a whole number",
  number: "a number",
  string: "text",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
};

/** The form a text field expects, said once for a wrong type and for a wrong pattern alike. */
const EXPECTED_FORM: Record<string, string> = {
  "gate.p99": GATE_FORMS.p99,
  "gate.throughput": GATE_FORMS.throughput,
  "gate.error-rate": `${ERROR_RATE_FORM["<N%"]} (the most requests that may fail)`,
  "gate.cost": 'a percentage like "+1%" (how much the app\'s instructions per request may grow)',
  "cost.ready-timeout": 'a duration like "180s"',
  "cost.timeout": 'a duration like "60s"',
  "cost.gap": 'a duration like "5ms"',
  "gate.capacity": 'a drop like "-10%" or a floor like ">800/s" (capacity at capacity.slo-p99)',
  "app.setup": "a command (text), or a mapping with command and optionally files, creates, timeout",
  "app.setup.command": "a command (text)",
  "app.setup.files": "a list of files or folders, relative to app.cwd, e.g. [package-lock.json]",
  "app.setup.files[]": "a file or folder name, relative to app.cwd",
  "app.setup.creates": "a list of paths, relative to app.cwd, e.g. [node_modules]",
  "app.setup.creates[]": "a path, relative to app.cwd",
  "app.setup.timeout": 'a duration like "10m"',
  "database.setup": 'a command (text) or a list of commands, e.g. ["python manage.py migrate --noinput"]',
  "database.setup[]": "a command (text), or a mapping with command and optionally timeout",
  "database.setup[].command": "a command (text)",
  "database.setup[].timeout": 'a duration like "10m"',
};

/**
 * The expected form of a field: as written, as any item of its list ("database.setup[]"), or, for a
 * list item with no form of its own ("gate.p99[1]"), what its field expects.
 */
function expectedForm(field: string): string | undefined {
  return (
    EXPECTED_FORM[field] ??
    EXPECTED_FORM[field.replace(/\[\d+\]/g, "[]")] ??
    EXPECTED_FORM[field.replace(/\[\d+\]$/, "")]
  );
}

interface Problem {
  position: Position;
  field: string;
  text: string;
}

function explain(e: ErrorObject, locate: (p: (string | number)[], key?: boolean) => Position): Problem | undefined {
  const path = pathOf(e.instancePath);
  const parent = e.parentSchema as Json | undefined;
  switch (e.keyword) {
    case "if":
      return undefined; // the failing then/else branch reports the real problem
    case "additionalProperties": {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((parent?.properties as Json | undefined) ?? {});
      const hint = nearest(key, known);
      return {
        position: locate([...path, key], true),
        field: fieldName([...path, key]),
        text: `unknown key "${key}"; expected one of: ${known.join(", ")}.${hint ? ` Did you mean "${hint}"?` : ""}`,
      };
    }
    case "required": {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      return {
        position: locate(path, true),
        field: fieldName([...path, missing]),
        text: `missing required key "${missing}"; add it${path.length ? ` under ${fieldName(path)}` : ""}.`,
      };
    }
    default: {
      const form = ["type", "pattern", "minLength", "minItems"].includes(e.keyword)
        ? expectedForm(fieldName(path))
        : undefined;
      const expected =
        form ??
        (e.keyword === "type"
          ? String((e.params as { type: string }).type)
              .split(",")
              .map((t) => TYPE_NAMES[t] ?? t)
              .join(" or ")
          : e.keyword === "enum"
            ? `one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(", ")}`
            : e.keyword === "minimum" || e.keyword === "maximum" || e.keyword === "exclusiveMinimum"
              ? `${parent?.type === "integer" ? "a whole number" : "a number"} ${e.keyword === "minimum" ? "of at least" : e.keyword === "maximum" ? "of at most" : "above"} ${(e.params as { limit: number }).limit}`
              : e.keyword === "const"
                ? `${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)} or a mapping`
                : e.keyword === "pattern"
                  ? ((parent?.description as string | undefined) ??
                    `text matching ${(e.params as { pattern: string }).pattern}`)
                  : (e.message ?? e.keyword));
      return {
        position: locate(path),
        field: fieldName(path),
        text: `expected ${expected}, found ${describe(e.data)}.`,
      };
    }
  }
}

function formatProblems(file: string, problems: Problem[]): string {
  const rel = relative(process.cwd(), file) || file;
  const lines = problems
    .sort((a, b) => a.position.line - b.position.line || a.position.column - b.position.column)
    .map((p) => `${rel}:${p.position.line}:${p.position.column}: ${p.field}: ${p.text}`);
  return `${lines.join("\n")}\nFix the stack file and run again; the JSON Schema schema/stack.schema.json lists every key.`;
}

/** Reads, validates and defaults one stack file. Every problem is reported with file:line:column. */
export function loadStackFile(file: string): StackSpec {
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

  const raw = src.data as Json;
  const dir = dirname(file);
  const fileProblems: Problem[] = [];
  const mustExist = (p: string | undefined, path: (string | number)[], what: string, kind: "file" | "dir" = "file") => {
    if (p === undefined) return null;
    const abs = resolve(dir, p);
    const ok = existsSync(abs) && (kind === "dir" ? statSync(abs).isDirectory() : statSync(abs).isFile());
    if (!ok) {
      fileProblems.push({
        position: src.locate(path),
        field: fieldName(path),
        text: `${what} ${JSON.stringify(p)} not found (looked for ${abs}). Paths are relative to the stack file's folder.`,
      });
    }
    return abs;
  };

  // The schema has checked each form; a list may still name a kind twice.
  const metricGate = (metric: "p99" | "throughput", value: string | string[] | undefined, fallback: string) => {
    const parsed = parseMetricGate(metric, value ?? fallback);
    if ("gate" in parsed) return parsed.gate;
    fileProblems.push({ position: src.locate(["gate", metric]), field: `gate.${metric}`, text: parsed.problem });
    return { relative: null, slo: null };
  };

  /**
   * app.setup: text (run before every bring-up) or { command, files, creates, timeout }. Its paths are
   * relative to the app's folder, where the command runs; the key files must exist.
   */
  const setupOfApp = (value: unknown, appDir: string): AppSetup => {
    const base = setupCommand(value, ["app", "setup"]);
    const entry = (typeof value === "string" ? {} : value) as Json;
    const files = ((entry.files as string[] | undefined) ?? []).map((f, i) => {
      const abs = resolve(appDir, f);
      if (existsSync(appDir) && !existsSync(abs)) {
        fileProblems.push({
          position: src.locate(["app", "setup", "files", i]),
          field: `app.setup.files[${i}]`,
          text: `${JSON.stringify(f)} not found (looked for ${abs}). Paths in app.setup are relative to the app's folder (app.cwd, default the stack file's folder); name files that exist before the setup runs, e.g. package-lock.json.`,
        });
      }
      return abs;
    });
    const creates = ((entry.creates as string[] | undefined) ?? []).map((f) => resolve(appDir, f));
    return { ...base, files, creates };
  };

  const db = raw.database as Json | "none" | undefined;
  const pooler = raw.pooler as Json | "none" | undefined;
  const proxy = raw.proxy as Json | "none" | undefined;
  const app = raw.app as Json;
  const load = (raw.load ?? {}) as Json;
  const gate = (raw.gate ?? {}) as Json;
  const cost = (raw.cost ?? {}) as Json;
  const capacity = (raw.capacity ?? {}) as Json;
  const ready = (app.ready ?? {}) as Json;
  const python = app.python as Json | undefined;
  const pgb = pooler && pooler !== "none" ? ((pooler.pgbouncer ?? {}) as Json) : undefined;
  const ngx = proxy && proxy !== "none" ? ((proxy.nginx ?? {}) as Json) : undefined;

  /** One setup command (text, or { command, timeout }) at `path`, with its line and bounded timeout. */
  const setupCommand = (value: unknown, path: (string | number)[]): SetupCommand => {
    const entry = (typeof value === "string" ? { command: value } : value) as Json;
    const timeout =
      entry.timeout === undefined ? SETUP_TIMEOUT_SECONDS : parseDuration(entry.timeout as string | number);
    if (!(timeout > 0)) {
      fileProblems.push({
        position: src.locate([...path, "timeout"]),
        field: fieldName([...path, "timeout"]),
        text: `expected a duration above zero (e.g. "10m"), found ${describe(entry.timeout)}.`,
      });
    }
    const at = typeof value === "string" ? path : [...path, "command"];
    return { command: entry.command as string, timeoutSeconds: timeout, line: src.locate(at).line };
  };
  /** database.setup: one command, or a list run in order. */
  const databaseSetup = (value: unknown): SetupCommand[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) return [setupCommand(value, ["database", "setup"])];
    return value.map((v, i) => setupCommand(v, ["database", "setup", i]));
  };

  const database =
    db === "none" || db === undefined
      ? null
      : {
          schema: mustExist(db.schema as string | undefined, ["database", "schema"], "schema file"),
          seed: mustExist(db.seed as string | undefined, ["database", "seed"], "seed file"),
          prewarm: (db.prewarm as boolean | undefined) ?? true,
          setup: databaseSetup(db.setup),
          settings: Object.fromEntries(
            Object.entries((db.settings as Json | undefined) ?? {}).map(([k, v]) => [k, String(v)]),
          ),
        };
  if (database === null && pgb) {
    fileProblems.push({
      position: src.locate(["pooler"], true),
      field: "pooler",
      text: 'PgBouncer needs a database; set "pooler: none" or add a "database" section.',
    });
  }
  const cwd = mustExist((app.cwd as string | undefined) ?? ".", ["app", "cwd"], "folder", "dir") ?? dir;
  const appSetup = app.setup === undefined ? null : setupOfApp(app.setup, cwd);
  const requirements = python
    ? mustExist(python.requirements as string, ["app", "python", "requirements"], "requirements file")
    : null;
  const timings = {
    warmup: parseDuration((load.warmup as string | number | undefined) ?? STACK_DEFAULTS.warmupSeconds),
    duration: parseDuration((load.duration as string | number | undefined) ?? STACK_DEFAULTS.durationSeconds),
    timeout: parseDuration((load.timeout as string | number | undefined) ?? STACK_DEFAULTS.timeoutSeconds),
    ready: parseDuration((ready.timeout as string | number | undefined) ?? "30s"),
    costReady: parseDuration(
      (cost["ready-timeout"] as string | number | undefined) ?? `${COST_DEFAULTS.readyTimeoutSeconds}s`,
    ),
    costTimeout: parseDuration(
      (cost.timeout as string | number | undefined) ?? `${COST_DEFAULTS.requestTimeoutSeconds}s`,
    ),
    costGap: parseDuration((cost.gap as string | number | undefined) ?? `${COST_DEFAULTS.gapSeconds * 1000}ms`),
  };
  if (!(timings.costGap >= 0)) {
    fileProblems.push({
      position: src.locate(["cost", "gap"]),
      field: "cost.gap",
      text: `expected a duration of zero or more (e.g. "5ms"), found ${describe(cost.gap)}.`,
    });
  }
  for (const [key, value] of [
    ["ready-timeout", timings.costReady],
    ["timeout", timings.costTimeout],
  ] as const) {
    if (!(value > 0)) {
      fileProblems.push({
        position: src.locate(["cost", key]),
        field: `cost.${key}`,
        text: `expected a duration above zero (e.g. "60s"), found ${describe(cost[key])}.`,
      });
    }
  }
  if (timings.duration <= 0) {
    fileProblems.push({
      position: src.locate(["load", "duration"]),
      field: "load.duration",
      text: `expected a duration above zero (e.g. "10s"), found ${describe(load.duration)}.`,
    });
  }
  const sloP99 =
    capacity["slo-p99"] === undefined ? null : parseDuration(capacity["slo-p99"] as string | number) * 1000;
  if (sloP99 !== null && !(sloP99 > 0)) {
    fileProblems.push({
      position: src.locate(["capacity", "slo-p99"]),
      field: "capacity.slo-p99",
      text: `expected a duration above zero (e.g. "50ms"), found ${describe(capacity["slo-p99"])}.`,
    });
  }
  if (gate.capacity !== undefined && sloP99 === null) {
    fileProblems.push({
      position: src.locate(["gate", "capacity"]),
      field: "gate.capacity",
      text: 'needs the SLO it is measured at: add capacity: { slo-p99: "50ms" } (the P99 the service must keep).',
    });
  }
  const metricGates = {
    p99: metricGate("p99", gate.p99 as string | string[] | undefined, "+10%"),
    throughput: metricGate("throughput", gate.throughput as string | string[] | undefined, "-5%"),
  };
  if (fileProblems.length > 0) throw new UserError(formatProblems(file, fileProblems));

  const lines: Record<string, number> = {};
  for (const key of Object.keys(raw)) lines[key] = src.locate([key], true).line;
  for (const key of ["command", "workers", "ready"])
    if (key in app) lines[`app.${key}`] = src.locate(["app", key], true).line;
  for (const key of ["p99", "throughput", "error-rate", "cost", "capacity"])
    if (key in gate) lines[`gate.${key}`] = src.locate(["gate", key], true).line;
  if (database) {
    for (const key of ["schema", "seed", "settings"])
      if ((db as Json)[key] !== undefined) lines[`database.${key}`] = src.locate(["database", key], true).line;
    for (const key of Object.keys(database.settings))
      lines[`database.settings.${key}`] = src.locate(["database", "settings", key], true).line;
  }

  const text2 = readFileSync(file);
  return Object.freeze({
    name: raw.name as string,
    description: (raw.description as string | undefined) ?? "",
    file,
    dir,
    fileHash: createHash("sha256").update(text2).digest("hex"),
    database,
    pooler: pgb
      ? {
          poolMode: (pgb.pool_mode as "session" | "transaction" | "statement" | undefined) ?? "transaction",
          defaultPoolSize: (pgb.default_pool_size as number | undefined) ?? 20,
          maxClientConn: (pgb.max_client_conn as number | undefined) ?? 2000,
        }
      : null,
    proxy: ngx
      ? {
          workerProcesses: (ngx.worker_processes as number | "auto" | undefined) ?? "auto",
          keepalive: (ngx.keepalive as number | undefined) ?? 64,
          upstream: (ngx.upstream as "http" | "uwsgi" | undefined) ?? "http",
        }
      : null,
    app: {
      command: app.command as string,
      webserver: (app.webserver as string | undefined) ?? (app.command as string).trim().split(/\s+/)[0],
      framework: (app.framework as string | undefined) ?? "",
      workers: (app.workers as number | "auto" | undefined) ?? STACK_DEFAULTS.workers,
      cwd,
      env: Object.fromEntries(Object.entries((app.env as Json | undefined) ?? {}).map(([k, v]) => [k, String(v)])),
      ready: { http: (ready.http as string | undefined) ?? "/", timeoutSeconds: timings.ready },
      setup: appSetup,
      python: requirements
        ? {
            requirements,
            interpreter: (python?.python as string | undefined) ?? "python3",
            noDeps: (python?.["no-deps"] as string[] | undefined) ?? [],
          }
        : null,
    },
    load: {
      requests: ((load.requests as Json[] | undefined) ?? [{ path: "/" }]).map((r) => ({
        path: r.path as string,
        method: (r.method as string | undefined) ?? "GET",
        headers: (r.headers as Record<string, string> | undefined) ?? {},
        body: r.body as string | undefined,
      })),
      connections: (load.connections as number | undefined) ?? STACK_DEFAULTS.connections,
      rate: (load.rate as number | undefined) ?? null,
      warmupSeconds: timings.warmup,
      durationSeconds: timings.duration,
      trials: (load.trials as number | undefined) ?? STACK_DEFAULTS.trials,
      timeoutSeconds: timings.timeout,
      pin: (load.pin as boolean | undefined) ?? false,
    },
    gate: {
      p99: metricGates.p99.relative,
      throughput: metricGates.throughput.relative,
      slo: { p99Ms: metricGates.p99.slo, throughput: metricGates.throughput.slo },
      // The schema's pattern has already held the value to "<N%" with N from 0 to 100.
      errorRate:
        gate["error-rate"] === undefined ? DEFAULT_GATE.errorRate : parseErrorRate(gate["error-rate"] as string, "<N%"),
      cost: gate.cost === undefined ? null : parsePercent(gate.cost as string),
      capacity: gate.capacity === undefined ? null : parseCapacityGate(gate.capacity as string),
    },
    capacity: {
      sloP99Ms: sloP99,
      maxProbes: (capacity["max-probes"] as number | undefined) ?? CAPACITY_DEFAULTS.maxProbes,
    },
    cost: {
      command: (cost.command as string | undefined) ?? null,
      env: Object.fromEntries(Object.entries((cost.env as Json | undefined) ?? {}).map(([k, v]) => [k, String(v)])),
      warmupRequests: (cost.warmup as number | undefined) ?? COST_DEFAULTS.warmupRequests,
      chunks: (cost.chunks as number | undefined) ?? COST_DEFAULTS.chunks,
      chunkRequests: (cost["chunk-requests"] as number | undefined) ?? COST_DEFAULTS.chunkRequests,
      readyTimeoutSeconds: timings.costReady,
      requestTimeoutSeconds: timings.costTimeout,
      gapSeconds: timings.costGap,
    },
    lines,
  });
}

/** "-10%" (a drop allowed against the baseline) or ">800/s" (a floor); the schema has checked the form. */
export function parseCapacityGate(value: string): CapacityGate {
  const floor = /^>(\d+(?:\.\d+)?)\/s$/.exec(value.trim());
  if (floor) return { kind: "floor", rate: Number(floor[1]) };
  return { kind: "drop", limit: parsePercent(value) };
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.field}|${p.text}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
