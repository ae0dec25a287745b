// Pure: a stack draft as the stack file init writes: YAML with a "# guessed:" comment above each
// value init guessed, and a header that says what the app must do.

import { STACK_DEFAULTS } from "../config/stack-spec.js";
import type { Guessed, SetupDraft, StackDraft } from "./draft.js";

/** A YAML scalar: JSON's double-quoted form, which YAML reads the same, unless it is plain and safe. */
export function scalar(value: string | number): string {
  if (typeof value === "number") return String(value);
  return /^[A-Za-z0-9_./-][A-Za-z0-9_./ -]*$/.test(value) &&
    !/^(?:true|false|null|yes|no|on|off|~)$/i.test(value) &&
    !/ $/.test(value)
    ? value
    : JSON.stringify(value);
}

/** `key: value`, after a "# guessed:" line when it was guessed. */
function field(indent: string, key: string, g: Guessed<string | number>): string[] {
  const line = `${indent}${key}: ${scalar(g.value)}`;
  return g.guess ? [`${indent}# guessed: ${g.guess}`, line] : [line];
}

const HEADER = [
  '# Written by `loadgate init`. Check each value under a "# guessed:" line.',
  "# The app must: listen on 127.0.0.1:{port} (a free port chosen at run time), answer 2xx on",
  "# app.ready.http, and reach the database at the URL in DATABASE_URL (PgBouncer in front of a fresh",
  "# PostgreSQL). Then: loadgate up <this folder> (bring it up), loadgate run <this folder> (measure).",
  "# Every field: docs/stack-file.md in the loadgate repository; what init guessed: docs/init.md.",
];

function databaseLines(d: StackDraft["database"]): string[] {
  const lines = ["database:"];
  if (d.schema) lines.push(`  schema: ${scalar(d.schema)}`);
  if (d.setup) lines.push(...field("  ", "setup", d.setup));
  if (d.seed) lines.push(`  seed: ${scalar(d.seed)}`);
  if (lines.length > 1) return lines;
  return [
    "# A fresh, empty PostgreSQL: add schema: / seed: (SQL files, relative to this file) or setup: (migrations).",
    "database: {}",
  ];
}

function setupLines(setup: Guessed<SetupDraft>): string[] {
  const head = setup.guess ? [`  # guessed: ${setup.guess}`] : [];
  if (typeof setup.value === "string") return [...head, `  setup: ${scalar(setup.value)}`];
  const list = (xs: string[]) => `[${xs.map(scalar).join(", ")}]`;
  return [
    ...head,
    "  setup:",
    `    command: ${scalar(setup.value.command)}`,
    `    files: ${list(setup.value.files)}`,
    `    creates: ${list(setup.value.creates)}`,
    "    timeout: 10m",
  ];
}

function appLines(d: StackDraft): string[] {
  const lines = ["app:", `  webserver: ${scalar(d.webserver)}`];
  if (d.framework) lines.push(`  framework: ${scalar(d.framework)}`);
  if (d.setup) lines.push(...setupLines(d.setup));
  lines.push(...field("  ", "command", d.command));
  if (d.workers) lines.push(...field("  ", "workers", d.workers));
  lines.push("  env:", ...Object.entries(d.env).map(([k, v]) => `    ${k}: ${scalar(v)}`));
  if (d.ready.guess) lines.push(`  # guessed: ${d.ready.guess}`);
  lines.push(`  ready: { http: ${scalar(d.ready.value)}, timeout: 30s }`);
  if (d.requirements) lines.push(`  python: { requirements: ${scalar(d.requirements)} }`);
  return lines;
}

/** The stack file's text. */
export function renderStackFile(d: StackDraft): string {
  const lines = [
    ...HEADER,
    `name: ${scalar(d.name)}`,
    `description: ${JSON.stringify(d.description)}`,
    ...databaseLines(d.database),
    "pooler: { pgbouncer: { pool_mode: transaction, default_pool_size: 20 } }",
    "proxy: { nginx: { worker_processes: auto, keepalive: 64 } }",
    ...appLines(d),
    "load:",
    "  # guessed: the readiness path; list the requests your users make (method, headers, body)",
    `  requests: [ { path: ${scalar(d.ready.value)} } ]`,
    `  connections: ${STACK_DEFAULTS.connections}`,
    `  warmup: ${STACK_DEFAULTS.warmupSeconds}s`,
    `  duration: ${STACK_DEFAULTS.durationSeconds}s`,
    `  trials: ${STACK_DEFAULTS.trials}`,
    "gate:",
    '  p99: "+10%"         # fail when P99 grows by more than 10%',
    '  throughput: "-5%"   # fail when throughput drops by more than 5%',
  ];
  return `${lines.join("\n")}\n`;
}
