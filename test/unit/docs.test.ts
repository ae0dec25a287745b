import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { docSources } from "../../scripts/doc-sources.js";
import { headings, partsOf, proseLines, regenerate, type SchemaNode, stackFieldList } from "../../scripts/docs-gen.js";

// The README and docs/ are checked as code: every YAML block is a stack file the schema accepts or a
// workflow (a block whose first line says "# fragment" is only parsed), every relative link and
// #anchor resolves, and every generated part is what scripts/docs.ts makes of its source.

const ROOT = resolve(import.meta.dirname, "../..");
const PAGES = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const read = (page: string) => readFileSync(join(ROOT, page), "utf8");
const stackSchema = JSON.parse(read("schema/stack.schema.json"));

/**
 * Pages written on other branches at the same time (issue 26's security page, issue 27's `loadgate
 * init` page): a link to one is allowed while it is missing. Once it exists it is checked like any.
 */
const PENDING = new Set<string>([]);

interface Block {
  page: string;
  line: number;
  text: string;
}

/** The ```yaml blocks of a page, with the line each starts on. */
function yamlBlocks(page: string): Block[] {
  const blocks: Block[] = [];
  let open: Block | null = null;
  read(page)
    .split("\n")
    .forEach((line, i) => {
      if (open === null && /^\s*```ya?ml\s*$/.test(line)) open = { page, line: i + 1, text: "" };
      else if (open !== null && /^\s*```\s*$/.test(line)) {
        blocks.push(open);
        open = null;
      } else if (open !== null) open.text += `${line}\n`;
    });
  return blocks;
}

const isFragment = (b: Block) => /^\s*# fragment\b/.test(b.text.trimStart().split("\n")[0]);

/** Relative links of a page outside code: [text](target) and <a href>, with the line they are on. */
function links(page: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  for (const { line, index } of proseLines(read(page))) {
    const text = line.replace(/`[^`]*`/g, "");
    for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) out.push({ target: m[1], line: index + 1 });
  }
  return out.filter((l) => !/^[a-z][a-z+.-]*:/i.test(l.target));
}

describe("the docs", () => {
  const sources = docSources(ROOT);

  it("every page has a table of contents", () => {
    for (const page of PAGES.filter((p) => p !== "docs/README.md")) expect(partsOf(read(page)), page).toContain("toc");
  });

  it.each(PAGES)("%s: every generated part is current (else: node --import tsx scripts/docs.ts)", (page) => {
    const text = read(page);
    expect(regenerate(text, sources) === text, `${page} is not current: run node --import tsx scripts/docs.ts`).toBe(
      true,
    );
  });

  it.each(PAGES)("%s: every yaml block is a valid stack file, a workflow, or a marked fragment", (page) => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(stackSchema);
    for (const b of yamlBlocks(page)) {
      const where = `${b.page}:${b.line}`;
      let doc: unknown;
      expect(() => {
        doc = parse(b.text);
      }, `${where} parses as YAML`).not.toThrow();
      if (isFragment(b)) continue;
      expect(doc, `${where}: a mapping (or mark it "# fragment")`).toBeTypeOf("object");
      const d = doc as Record<string, unknown>;
      if ("jobs" in d) {
        expect(d.jobs, `${where}: jobs is a mapping`).toBeTypeOf("object");
        expect("on" in d, `${where}: a workflow has on:`).toBe(true);
        continue;
      }
      const ok = validate(d);
      expect(ok ? [] : validate.errors, `${where}: a stack file that schema/stack.schema.json accepts`).toEqual([]);
    }
  });

  it.each(PAGES)("%s: every relative link and #anchor resolves", (page) => {
    for (const { target, line } of links(page)) {
      const [path, anchor] = target.split("#") as [string, string | undefined];
      const file = path === "" ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), decodeURI(path));
      const name = relative(ROOT, file);
      if (PENDING.has(name) && !existsSync(file)) continue;
      expect(existsSync(file), `${page}:${line}: ${target}: no such file`).toBe(true);
      if (anchor === undefined) continue;
      expect(file.endsWith(".md") && statSync(file).isFile(), `${page}:${line}: ${target}: an anchor in a page`).toBe(
        true,
      );
      const anchors = headings(readFileSync(file, "utf8")).map((h) => h.anchor);
      expect(anchors, `${page}:${line}: ${target}: no heading with that anchor`).toContain(anchor);
    }
  });

  it("the README and docs/contributing.md show the same layout table", () => {
    const layout = (text: string) =>
      text.slice(text.indexOf("Layout, from the top floor down"), text.indexOf("\n\n", text.indexOf("| folder |")));
    expect(layout(read("README.md"))).toContain("| `src/cli/` |");
    expect(layout(read("docs/contributing.md"))).toBe(layout(read("README.md")));
  });

  it("the README links every page of docs/", () => {
    const readme = read("README.md");
    for (const page of [...PAGES.filter((p) => p.startsWith("docs/") && p !== "docs/README.md"), ...PENDING])
      expect(readme, page).toContain(`](${page})`);
  });
});

describe("schema/stack.schema.json, for editors", () => {
  it("has an $id, and a description on every field", () => {
    expect(stackSchema.$id).toMatch(/^[a-z]+:/);
    const fields = stackFieldList(stackSchema as SchemaNode);
    expect(fields.length).toBeGreaterThan(60);
    for (const f of fields) expect(f.description, `${f.path} has a description`).not.toBe("");
  });

  it("each section has examples, and the schema accepts them", () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(stackSchema);
    const base = { name: "example", app: { command: "server --port {port}" } };
    for (const [key, node] of Object.entries(stackSchema.properties as Record<string, { examples?: unknown[] }>)) {
      if (key === "description") continue;
      expect(node.examples?.length, `${key} has examples`).toBeGreaterThan(0);
      for (const example of node.examples ?? []) {
        const ok = validate({ ...base, [key]: example });
        expect(ok ? [] : validate.errors, `${key}: ${JSON.stringify(example)}`).toEqual([]);
      }
    }
  });
});

describe("where the CLI's help points", () => {
  it("each command's help names a docs page and a section it has", async () => {
    const { COMMAND_HELP, GLOBAL_HELP } = await import("../../src/cli/help.js");
    for (const [command, text] of Object.entries(COMMAND_HELP)) {
      const m = /See (docs\/[\w-]+\.md)(?:, "([^"]+)")?/.exec(text.replace(/\s+/g, " "));
      expect(m, `${command} --help says where to read more`).not.toBeNull();
      const [, page, section] = m!;
      expect(existsSync(join(ROOT, page)), `${command}: ${page}`).toBe(true);
      if (section)
        expect(
          headings(read(page)).map((h) => h.title),
          `${command}: ${page} "${section}"`,
        ).toContain(section);
    }
    for (const page of GLOBAL_HELP.match(/docs\/[\w-]+\.md/g) ?? [])
      expect(existsSync(join(ROOT, page)), page).toBe(true);
  });
});
