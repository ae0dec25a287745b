// Pure: how a command's help is laid out (synopsis, arguments, flags with defaults, exit codes), and
// what every command's help shares.

import type { AB_OPTIONS, RUN_OPTIONS } from "../../config/cli-plan.js";
import type { STUDY_OPTIONS } from "../../config/study-plan.js";

export const COMMANDS = [
  "init",
  "run",
  "cost",
  "work",
  "ab",
  "study",
  "capacity",
  "compare",
  "report",
  "history",
  "up",
  "help",
] as const;
export type CommandName = (typeof COMMANDS)[number];

export type RunFlag = Exclude<keyof typeof RUN_OPTIONS, "help">;
export type AbFlag = Exclude<keyof typeof AB_OPTIONS, "help">;
export type StudyFlag = Exclude<keyof typeof STUDY_OPTIONS, "help">;

/** One flag: `--name ARG   text (default: …)`. */
export interface FlagHelp {
  arg?: string;
  text: string;
  default?: string;
}

/** Flags a command parses but does not use, or refuses (exit 2), and why. */
export interface FlagNote {
  flags: readonly string[];
  why: string;
}

export interface CommandSpec {
  summary: string;
  usage: readonly string[];
  about?: string;
  args?: readonly (readonly [string, string])[];
  flags: readonly (readonly [string, FlagHelp])[];
  /** Flags the command parses but does not use: refused (exit 2), each group with its reason. */
  refused?: readonly FlagNote[];
  exit: readonly (readonly [number, string])[];
  readme: string;
}

const WIDTH = 100;
const COLUMN = 26;

/** 0.01 → "1%". */
export const pct = (fraction: number) => `${Number((fraction * 100).toFixed(4))}%`;

/** Words of `text` in lines of at most `width` - `indent` characters, each after `indent` spaces. */
export function wrap(text: string, indent: number, first = indent): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const room = WIDTH - (lines.length === 0 ? first : indent);
    if (line && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : `${" ".repeat(indent)}${l}`));
}

/** A two-column entry: the name, then its text wrapped under the second column. */
export function entry(name: string, text: string, column = COLUMN): string {
  const head = `  ${name}`;
  const body = wrap(text, column).join("\n");
  return head.length >= column - 1 ? `${head}\n${" ".repeat(column)}${body}` : `${head.padEnd(column)}${body}`;
}

function flagEntry(name: string, f: FlagHelp): string {
  const flag = `--${name}${f.arg ? ` ${f.arg}` : ""}`;
  return entry(flag, `${f.text}${f.default === undefined ? "" : ` (default: ${f.default})`}`);
}

function note(label: string, n: FlagNote): string[] {
  const flags = n.flags.map((f) => `--${f}`).join(", ");
  return ["", ...wrap(`${label}: ${flags}: ${n.why}`, 2, 0)];
}

export function render(command: CommandName, spec: CommandSpec): string {
  const out = [`loadgate ${command}: ${spec.summary}`, "", "Usage:", ...spec.usage.map((u) => `  ${u}`)];
  if (spec.about) out.push("", ...wrap(spec.about, 0));
  if (spec.args?.length) out.push("", "Arguments:", ...spec.args.map(([name, text]) => entry(name, text)));
  out.push("", "Flags:", ...spec.flags.map(([name, f]) => flagEntry(name, f)));
  out.push(entry("-h, --help", "print this help"));
  for (const n of spec.refused ?? []) out.push(...note("Refused (exit 2)", n));
  out.push("", "Exit codes:", ...spec.exit.map(([code, text]) => entry(String(code), text, 8)));
  out.push("", ...wrap(`See ${spec.readme}`, 0));
  return `${out.join("\n")}\n`;
}

export const EXIT = {
  ok: [0, "ran and passed"],
  gate: [1, "a gate failed: a regression, an SLO breached, more failed requests than gate.error-rate allows"],
  bad: [2, "bad input: a flag, the stack file, a file given, a missing program"],
  stack: [3, "the stack failed: a component did not start, crashed, stopped answering or served nothing"],
  interrupted: [130, "interrupted (Ctrl-C, SIGTERM)"],
} as const;

/** The docs page that holds each section a command's help points at. */
const PAGE_OF: Record<string, string> = {
  "The CLI": "docs/cli.md",
  "Reports and charts": "docs/cli.md",
  "The study: `loadgate study`": "docs/study.md",
  "Drift on main": "docs/drift.md",
  "The count alone: `loadgate work`": "docs/work.md",
};

/** Where to read more: a section of docs/ (verdicts.md unless PAGE_OF says otherwise), and the CLI page. */
export const README = (section: string) => {
  const page = PAGE_OF[section] ?? "docs/verdicts.md";
  return section === "The CLI" ? `${page}.` : `${page}, "${section}" (and docs/cli.md for every command).`;
};

export const STACK_ARG = ["<stack>", "a folder holding stack.yml, or the stack file itself"] as const;
