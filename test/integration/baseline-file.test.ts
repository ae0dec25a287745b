import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../support/temp.js";
import { bareStack, runCli, tinyStack } from "./helpers.js";

describe("file baselines: --save-baseline, --baseline and loadgate compare", () => {
  it("saves a baseline, passes against it, and fails with exit 1 when the app is slowed down", async () => {
    const dir = tempDir("lg-basefile-");
    const stack = tinyStack(bareStack());
    const base = join(dir, "base.json");
    const saved = await runCli(["run", stack, "--trials", "3", "--save-baseline", base]);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toContain(`Baseline written to ${base}`);
    expect(JSON.parse(readFileSync(base, "utf8")).results[0].history).toEqual([]);

    const slow = join(dir, "slow.json");
    const gated = await runCli(["run", stack, "--trials", "3", "--baseline", base, "--json", slow], {
      env: { TINY_DELAY_MS: "15" },
    });
    expect(gated.code, gated.stdout).toBe(1);
    expect(gated.stdout).toMatch(/bare: REGRESSION/);
    expect(gated.stdout).toMatch(/P99 \(ms\).*regression/);

    const compared = await runCli(["compare", base, slow]);
    expect(compared.code).toBe(1);
    expect(compared.stdout).toMatch(/bare: REGRESSION/);
    const same = await runCli(["compare", base, base]);
    // The same trials on both sides: never a regression (pass, or inconclusive when trials spread widely).
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/bare: (PASS|INCONCLUSIVE)/);
  });

  it("a baseline file that is not a Result: exit 2 naming the file and field", async () => {
    const dir = tempDir("lg-basefile-bad-");
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ schemaVersion: 1, results: [{ stack: { name: "x" } }] }));
    const r = await runCli(["compare", bad, bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}: results[0].environment.id: expected text`);
    writeFileSync(bad, "{ not json");
    const r2 = await runCli(["compare", bad, bad]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("not valid JSON");
  });
});
