import { createHash, createHmac, pbkdf2Sync } from "node:crypto";
import { closeSync, lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  appUrl,
  newCredentials,
  pgbouncerAuthFile,
  renderPgHba,
  scramSecret,
  setAppPasswordSql,
} from "../../src/stack/db-auth.js";
import { makeDir, openLog, writeNewFile } from "../../src/stack/run-folder.js";

describe("the run's database credentials", () => {
  it("are fresh random hex passwords, in the app's URL", () => {
    const a = newCredentials();
    const b = newCredentials();
    expect(a.appPassword).toMatch(/^[0-9a-f]{32}$/);
    expect(a.adminPassword).toMatch(/^[0-9a-f]{32}$/);
    expect(a.appPassword).not.toBe(b.appPassword);
    expect(a.appPassword).not.toBe(a.adminPassword);
    expect(appUrl(6432, a)).toBe(`postgresql://loadgate:${a.appPassword}@127.0.0.1:6432/loadgate`);
  });

  it("give PostgreSQL a SCRAM secret (RFC 5802 keys), never the password", () => {
    const salt = Buffer.from("0123456789abcdef");
    const secret = scramSecret("pencil", salt, 4096);
    const salted = pbkdf2Sync("pencil", salt, 4096, 32, "sha256");
    const stored = createHash("sha256").update(createHmac("sha256", salted).update("Client Key").digest()).digest();
    const server = createHmac("sha256", salted).update("Server Key").digest();
    expect(secret).toBe(
      `SCRAM-SHA-256$4096:${salt.toString("base64")}$${stored.toString("base64")}:${server.toString("base64")}`,
    );
    const { appPassword } = newCredentials();
    const sql = setAppPasswordSql(appPassword);
    expect(sql).toMatch(/^alter role loadgate with login nosuperuser password 'SCRAM-SHA-256\$4096:/);
    expect(sql).not.toContain(appPassword);
  });

  it("pg_hba.conf: SCRAM on loopback TCP, trust only for loadgate_admin on the socket", () => {
    const lines = renderPgHba()
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    expect(lines.map((l) => l.split(/\s+/))).toEqual([
      ["local", "all", "loadgate_admin", "trust"],
      ["host", "all", "all", "127.0.0.1/32", "scram-sha-256"],
    ]);
  });

  it("PgBouncer's auth_file holds both roles' passwords", () => {
    const c = newCredentials();
    expect(pgbouncerAuthFile(c)).toBe(`"loadgate" "${c.appPassword}"\n"loadgate_admin" "${c.adminPassword}"\n`);
  });
});

describe("root's writes in the run folder follow no link", () => {
  const dir = mkdtempSync(join(tmpdir(), "lg-nofollow-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const target = join(dir, "target");
  writeFileSync(target, "keep\n");

  it("makeDir, writeNewFile and openLog refuse a link in their place and leave its target alone", () => {
    for (const [name, act] of [
      ["d", (p: string) => makeDir(p, 0o755)],
      ["f", (p: string) => writeNewFile(p, "x")],
      ["l", (p: string) => closeSync(openLog(p))],
    ] as const) {
      const path = join(dir, name);
      symlinkSync(target, path);
      expect(() => act(path)).toThrow(`${path} already exists in the run folder, and loadgate made no such entry`);
      expect(readFileSync(target, "utf8")).toBe("keep\n");
      expect(lstatSync(path).isSymbolicLink()).toBe(true);
    }
  });

  it("make what is not there, with the mode asked for", () => {
    expect(lstatSync(makeDir(join(dir, "new"), 0o700)).mode & 0o777).toBe(0o700);
    writeNewFile(join(dir, "new", "a.txt"), "text", 0o600);
    expect(lstatSync(join(dir, "new", "a.txt")).mode & 0o777).toBe(0o600);
    expect(() => writeNewFile(join(dir, "new", "a.txt"), "again")).toThrow("already exists");
    closeSync(openLog(join(dir, "x.log")));
    closeSync(openLog(join(dir, "x.log"))); // a log is appended to
  });
});
