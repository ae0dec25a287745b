import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { VERSION } from "../../src/version.js";
import { runMain } from "../support/cli.js";

const ROOT = resolve(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

describe("one version", () => {
  it("loadgate --version, package.json and the newest release in CHANGELOG.md agree", async () => {
    const pkg = JSON.parse(read("package.json")) as { version: string };
    const released = /^## \[?(\d+\.\d+\.\d+)\]?/m.exec(read("CHANGELOG.md"))?.[1];
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(VERSION).toBe(pkg.version);
    expect(released).toBe(pkg.version);
    const r = await runMain(["--version"], { cwd: ROOT, env: { PATH: process.env.PATH } });
    expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  it("the CLI installs from a tarball: package.json names its command and ships what it reads", () => {
    const pkg = JSON.parse(read("package.json")) as { bin: Record<string, string>; files: string[]; license: string };
    expect(pkg.bin).toEqual({ loadgate: "dist/cli.js" });
    expect(read("dist/cli.js").startsWith("#!/usr/bin/env node\n")).toBe(true);
    // The bundle reads the built-in stacks (loadgate study) from the package; the schemas are bundled.
    expect(pkg.files).toEqual(expect.arrayContaining(["dist/cli.js", "stacks/", "schema/"]));
    expect(pkg.license).toBe("MIT");
    expect(read("LICENSE")).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} the loadgate authors\n/);
  });
});
