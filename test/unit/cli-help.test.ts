import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  AB_DEFAULT_MAX_PAIRS,
  AB_DEFAULT_MAX_TIME,
  AB_DEFAULT_MIN_PAIRS,
  AB_DEFAULT_WARMUP_SECONDS,
  AB_DEFAULT_WINDOW_SECONDS,
} from "../../src/ab/plan.js";
import { CAPACITY_DEFAULTS } from "../../src/capacity/search.js";
import { COMPARE_OPTIONS } from "../../src/cli/compare.js";
import { COMMAND_HELP, COMMANDS, type CommandName, GLOBAL_HELP, helpFor } from "../../src/cli/help.js";
import { HISTORY_OPTIONS } from "../../src/cli/history.js";
import { INIT_OPTIONS } from "../../src/cli/init.js";
import { AB_OPTIONS, RUN_OPTIONS } from "../../src/config/cli-plan.js";
import { SWEEP_DEFAULT_BUDGET } from "../../src/config/plan.js";
import { STACK_DEFAULTS } from "../../src/config/stack-spec.js";
import { STUDY_DEFAULTS, STUDY_OPTIONS } from "../../src/config/study-plan.js";
import { runMain } from "../support/cli.js";

const ROOT = resolve(import.meta.dirname, "../..");

/** `--name` of every option but --help. */
const flagsOf = (options: object) =>
  Object.keys(options)
    .filter((k) => k !== "help")
    .map((k) => `--${k}`);

/** The flags each command parses: run, cost, work, up and capacity take the run's, ab and study their own. */
const PARSED: Record<CommandName, string[]> = {
  init: flagsOf(INIT_OPTIONS),
  run: flagsOf(RUN_OPTIONS),
  cost: flagsOf(RUN_OPTIONS),
  work: flagsOf(RUN_OPTIONS),
  up: flagsOf(RUN_OPTIONS),
  capacity: [...flagsOf(RUN_OPTIONS), "--slo-p99", "--max-probes"],
  ab: flagsOf(AB_OPTIONS),
  study: flagsOf(STUDY_OPTIONS),
  report: ["--format", "--out"],
  compare: flagsOf(COMPARE_OPTIONS),
  history: flagsOf(HISTORY_OPTIONS),
  help: [],
};

/** `--cost` in the text, not as the start of `--cost-limit`. */
const mentions = (text: string, flag: string) => new RegExp(`(^|[\\s,(])${flag}(?![\\w-])`, "m").test(text);

/** The entries of the "Flags:" section: each flag line with its wrapped continuation. */
function flagEntries(text: string): { flag: string; text: string }[] {
  const lines = text.split("\n");
  const start = lines.indexOf("Flags:") + 1;
  const end = lines.indexOf("", start);
  const entries: { flag: string; text: string }[] = [];
  for (const line of lines.slice(start, end)) {
    const m = /^ {2}(-h, --help|--[\w-]+)/.exec(line);
    if (m) entries.push({ flag: m[1], text: line });
    else entries[entries.length - 1].text += `\n${line}`;
  }
  return entries;
}

/** The flags of the note paragraphs ("Refused (exit 2): --a, --b: why"). */
function noted(text: string, label: string): string[] {
  return text
    .split("\n\n")
    .filter((p) => p.startsWith(`${label}:`))
    .flatMap((para) =>
      para
        .slice(label.length + 1)
        .replace(/\s+/g, " ")
        .split(": ")[0]
        .split(", ")
        .map((f) => f.trim()),
    );
}

function cli(argv: string[]) {
  return runMain(argv, { cwd: ROOT, env: { PATH: process.env.PATH } });
}

/** Each command with arguments that would fail (exit 2) or start something if --help were not checked first. */
const WOULD_RUN: Record<CommandName, string[]> = {
  init: ["init", "/nonexistent/app"],
  run: ["run", "/nonexistent/stack"],
  cost: ["cost", "/nonexistent/stack"],
  work: ["work", "/nonexistent/stack"],
  up: ["up", "/nonexistent/stack"],
  capacity: ["capacity", "/nonexistent/stack", "--slo-p99", "50ms"],
  ab: ["ab", "main", "x"],
  study: ["study", "no-such-row"],
  compare: ["compare", "/nonexistent/a.json", "/nonexistent/b.json"],
  report: ["report", "/nonexistent/result.json"],
  history: ["history", "demo", "--from", "/nonexistent/history.json"],
  help: ["help", "no-such-command"],
};

describe("helpFor", () => {
  it.each(COMMANDS)("%s: --help, -h, help <command>, and --help after the positionals", (command) => {
    const text = COMMAND_HELP[command];
    expect(text).toContain(`loadgate ${command}`);
    expect(helpFor([command, "--help"])).toEqual({ text });
    expect(helpFor([command, "-h"])).toEqual({ text });
    expect(helpFor(["help", command])).toEqual({ text });
    expect(helpFor(["--help", command])).toEqual({ text });
    expect(helpFor([...WOULD_RUN[command], "--help"])).toEqual({ text });
    expect(helpFor([...WOULD_RUN[command], "-h", "--json", "out.json"])).toEqual({ text });
  });

  it("the overview for help, --help and -h alone; nothing when help is not asked", () => {
    for (const argv of [["help"], ["--help"], ["-h"]]) expect(helpFor(argv)).toEqual({ text: GLOBAL_HELP });
    expect(helpFor(["ab", "main", "stacks/x", "--help"])).toEqual({ text: COMMAND_HELP.ab });
    expect(helpFor(["up", "stacks/x", "-h"])).toEqual({ text: COMMAND_HELP.up });
    expect(helpFor(["help", "--help"])).toEqual({ text: COMMAND_HELP.help });
    expect(helpFor([])).toBeUndefined();
    expect(helpFor(["run", "stacks/x"])).toBeUndefined();
    expect(helpFor(["--version"])).toBeUndefined();
    expect(helpFor(["help", "nosuch"])).toBeUndefined();
    expect(helpFor(["nosuch", "--help"])).toBeUndefined();
    // After `--` everything is a positional, as parseArgs reads it.
    expect(helpFor(["run", "--", "--help"])).toBeUndefined();
  });
});

describe("COMMAND_HELP", () => {
  it.each(COMMANDS)(
    "%s: every flag it parses is explained or listed as refused; none is accepted without effect",
    (command) => {
      const text = COMMAND_HELP[command];
      const entries = flagEntries(text).map((e) => e.flag);
      const refused = noted(text, "Refused (exit 2)");
      expect(text).not.toContain("no effect");
      for (const flag of PARSED[command]) {
        expect(mentions(text, flag), `${command} --help mentions ${flag}`).toBe(true);
        expect([...entries, ...refused], `${command}: ${flag}`).toContain(flag);
      }
      // Nothing is explained that the command does not parse, and each flag is listed once.
      for (const flag of [...entries, ...refused]) expect([...PARSED[command], "-h, --help"]).toContain(flag);
      expect(new Set([...entries, ...refused]).size).toBe(entries.length + refused.length);
    },
  );

  it.each(COMMANDS)(
    "%s: each flag with a value or a switch says its default; synopsis, exit codes, the docs page",
    (command) => {
      const text = COMMAND_HELP[command];
      for (const e of flagEntries(text)) {
        if (e.flag !== "-h, --help") expect(e.text, `${command} ${e.flag}`).toContain("(default: ");
      }
      expect(text).toContain("Usage:\n  loadgate ");
      expect(text).toMatch(/Exit codes:\n {2}0 /);
      expect(text).toMatch(/See docs\/[\w-]+\.md/);
      for (const line of text.split("\n")) expect(line.length, line).toBeLessThanOrEqual(100);
    },
  );

  it("the defaults are the code's", () => {
    const ab = flagEntries(COMMAND_HELP.ab);
    const of = (entries: { flag: string; text: string }[], flag: string) =>
      entries.find((e) => e.flag === flag)?.text.replace(/\s+/g, " ");
    expect(of(ab, "--min-pairs")).toContain(`(default: ${AB_DEFAULT_MIN_PAIRS})`);
    expect(of(ab, "--max-pairs")).toContain(`(default: ${AB_DEFAULT_MAX_PAIRS},`);
    expect(of(ab, "--max-time")).toContain(`(default: ${AB_DEFAULT_MAX_TIME} s)`);
    expect(of(ab, "--duration")).toContain(`(default: ${AB_DEFAULT_WINDOW_SECONDS} s,`);
    expect(of(ab, "--warmup")).toContain(`(default: ${AB_DEFAULT_WARMUP_SECONDS} s,`);
    const run = flagEntries(COMMAND_HELP.run);
    expect(of(run, "--duration")).toContain(`load.duration, ${STACK_DEFAULTS.durationSeconds} s if it gives none`);
    expect(of(run, "--trials")).toContain(`load.trials, ${STACK_DEFAULTS.trials} if it gives none`);
    expect(of(run, "--sweep-time")).toContain(`(default: ${SWEEP_DEFAULT_BUDGET} s)`);
    expect(of(run, "--cost-limit")).toContain("+1% if it gives none");
    expect(of(run, "--max-error-rate")).toContain("<1% if it gives none");
    expect(of(flagEntries(COMMAND_HELP.capacity), "--max-probes")).toContain(`${CAPACITY_DEFAULTS.maxProbes} if it`);
    expect(of(flagEntries(COMMAND_HELP.study), "--duration")).toContain(`${STUDY_DEFAULTS.durationSeconds} s`);
    expect(of(flagEntries(COMMAND_HELP.report), "--format")).toContain("(default: terminal)");
  });

  it("docs/cli.md's flag table has every flag of run and ab", () => {
    const page = readFileSync(join(ROOT, "docs/cli.md"), "utf8");
    const cli = page.slice(page.indexOf("## Flags"), page.indexOf("## Exit codes"));
    for (const flag of new Set([...flagsOf(RUN_OPTIONS), ...flagsOf(AB_OPTIONS)])) {
      expect(cli, flag).toMatch(new RegExp(`^\\| \`${flag}[ \`]`, "m"));
    }
  });

  it("the overview names every command and how to get its flags", () => {
    for (const command of COMMANDS) expect(GLOBAL_HELP).toMatch(new RegExp(`^ {2}${command} +\\S`, "m"));
    expect(GLOBAL_HELP).toContain('"loadgate <command> --help"');
  });
});

describe("main answers help before anything else", () => {
  it.each(COMMANDS)("%s ... --help: exit 0, the command's help on stdout, nothing started", async (command) => {
    for (const argv of [
      [...WOULD_RUN[command], "--help"],
      [...WOULD_RUN[command], "-h"],
    ]) {
      const r = await cli(argv);
      expect(r, argv.join(" ")).toEqual({ code: 0, stdout: COMMAND_HELP[command], stderr: "" });
    }
    // Without --help the same arguments fail: so the 0 above is the help check's. (Not ab's: it would
    // check out the base commit before finding no stack x.)
    if (command !== "ab") expect((await cli(WOULD_RUN[command])).code).toBe(2);
  });

  it("help <command>, --help, bare loadgate (exit 2), help on no command (exit 2)", async () => {
    expect(await cli(["help", "ab"])).toEqual({ code: 0, stdout: COMMAND_HELP.ab, stderr: "" });
    expect(await cli(["--help"])).toEqual({ code: 0, stdout: GLOBAL_HELP, stderr: "" });
    expect(await cli([])).toEqual({ code: 2, stdout: GLOBAL_HELP, stderr: "" });
    const r = await cli(["help", "nosuch"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown command "nosuch"');
  });

  it.each([
    ["run", ["run", "--nope"]],
    ["cost", ["cost", "--nope"]],
    ["work", ["work", "--nope"]],
    ["up", ["up", "--nope"]],
    ["capacity", ["capacity", "--nope"]],
    ["ab", ["ab", "main", "--nope"]],
    ["study", ["study", "--nope"]],
    ["init", ["init", "--nope"]],
  ])("%s: an unknown flag is exit 2, pointing at its command's help", async (command, argv) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--nope");
    expect(r.stderr).toContain(`See "loadgate ${command} --help"`);
  });

  it.each(["cost", "work", "capacity", "up", "ab"] as const)(
    "%s: each flag its help lists as refused is refused (exit 2), naming the flag, before anything is read",
    async (command) => {
      const refused = noted(COMMAND_HELP[command], "Refused (exit 2)");
      expect(refused.length).toBeGreaterThan(0);
      for (const flag of refused) {
        const value = RUN_OPTIONS[flag.slice(2) as keyof typeof RUN_OPTIONS].type === "string" ? ["1"] : [];
        const r = await cli([
          command,
          ...(command === "ab" ? ["no-such-ref"] : []),
          "/nonexistent/stack",
          ...(command === "capacity" ? ["--slo-p99", "50ms"] : []),
          flag,
          ...value,
        ]);
        expect(r.code, `${command} ${flag}: ${r.stderr}`).toBe(2);
        expect(r.stderr, `${command} ${flag}`).toContain(`loadgate ${command}: ${flag} `);
        expect(r.stderr, `${command} ${flag}`).not.toContain("no such file or folder");
      }
    },
  );
});
