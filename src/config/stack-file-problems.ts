// Problems with a stack file, each said as file:line:column: field: what was expected and what was found.

import { relative } from "node:path";
import type { ErrorObject } from "ajv";
import { ERROR_RATE_FORM } from "./duration.js";
import { GATE_FORMS } from "./gate-forms.js";
import { nearest } from "./suggest.js";
import type { Position } from "./yaml-source.js";

function pathOf(instancePath: string): (string | number)[] {
  if (instancePath === "") return [];
  return instancePath
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function fieldName(path: readonly (string | number)[]): string {
  if (path.length === 0) return "(top level)";
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

export function describe(value: unknown): string {
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
  "app.pass-env": "a list of variable names from loadgate's environment, e.g. [SECRET_KEY, SENTRY_DSN]",
  "app.pass-env[]": "a variable name: letters, digits and _, not starting with a digit (e.g. SECRET_KEY)",
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

export interface Problem {
  position: Position;
  field: string;
  text: string;
}

export function explain(
  e: ErrorObject,
  locate: (p: (string | number)[], key?: boolean) => Position,
): Problem | undefined {
  const path = pathOf(e.instancePath);
  const parent = e.parentSchema as Record<string, unknown> | undefined;
  switch (e.keyword) {
    case "if":
      return undefined; // the failing then/else branch reports the real problem
    case "additionalProperties": {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((parent?.properties as Record<string, unknown> | undefined) ?? {});
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

export function formatProblems(file: string, problems: Problem[]): string {
  const rel = relative(process.cwd(), file) || file;
  const lines = problems
    .sort((a, b) => a.position.line - b.position.line || a.position.column - b.position.column)
    .map((p) => `${rel}:${p.position.line}:${p.position.column}: ${p.field}: ${p.text}`);
  return `${lines.join("\n")}\nFix the stack file and run again; the JSON Schema schema/stack.schema.json lists every key.`;
}

/** The schema may report one problem more than once (from more than one rule); say it once. */
export function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.field}|${p.text}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
