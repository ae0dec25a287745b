// Writes the generated parts of README.md and docs/*.md from their sources (see docs-gen.ts):
//   node --import tsx scripts/docs.ts           rewrite the pages
//   node --import tsx scripts/docs.ts --check   exit 1 and name the pages that are not current
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { docSources } from "./doc-sources.js";
import { regenerate } from "./docs-gen.js";

const ROOT = resolve(import.meta.dirname, "..");
const pages = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const sources = docSources(ROOT);
const check = process.argv.includes("--check");
const stale: string[] = [];
for (const page of pages) {
  const file = join(ROOT, page);
  const text = readFileSync(file, "utf8");
  const next = regenerate(text, sources);
  if (next === text) continue;
  stale.push(page);
  if (!check) writeFileSync(file, next);
}
if (check && stale.length > 0) {
  console.error(`Not current: ${stale.join(", ")}. Run: node --import tsx scripts/docs.ts`);
  process.exitCode = 1;
} else console.log(stale.length > 0 ? `rewrote ${stale.join(", ")}` : "docs are current");
