// bench/study-smoke: every built-in stack comes up (installing what it needs), answers the study's
// JSON for a random row, and goes down. CI runs a representative few of these
// (test/integration/study.test.ts, builtin-apps.test.ts); this runs all of them (the study's thirteen
// rows, fastify-pg and django), with each one's install time.
//
//   node bench/study-smoke.mjs [row...]
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, up } from "./lib.mjs";

const STUDY_ANSWER = /^\{"a": "\d{10}", "b": "[A-Za-z]{20}"\}$/;
const rows = process.argv.slice(2).length
  ? process.argv.slice(2)
  : readdirSync(join(ROOT, "stacks")).filter((d) => d !== "common");
const lines = [];
let failures = 0;
for (const row of rows) {
  const t0 = Date.now();
  let verdict;
  try {
    const stack = await up(join(ROOT, "stacks", row));
    const upSeconds = (Date.now() - t0) / 1000;
    const res = await fetch(stack.url);
    const body = await res.text();
    await stack.stop();
    const ok = res.status === 200 && STUDY_ANSWER.test(body) && Buffer.byteLength(body) === 48;
    verdict = `${ok ? "ok" : "WRONG"} | ${res.status} ${body.slice(0, 60)} | up in ${upSeconds.toFixed(0)} s`;
    if (!ok) failures++;
  } catch (err) {
    failures++;
    verdict = `FAILED | ${String(err.message ?? err).split("\n")[0]} |`;
  }
  console.error(`${row}: ${verdict}`);
  lines.push(`| ${row} | ${verdict} |`);
}
console.log("| Row | Check | Status and answer | Up (install included) |\n|---|---|---|---|");
console.log(lines.join("\n"));
process.exit(failures ? 1 : 0);
