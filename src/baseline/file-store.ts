import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { readResultFile } from "../result/read.js";
import type { ResultDocument } from "../result/types.js";
import type { BaselineStore, StoredBaseline } from "./store.js";

/**
 * The CLI's store: --baseline FILE to read, --save-baseline FILE to write (the user's file to
 * overwrite). One run's stacks are saved one by one into one document: the first save of this
 * store replaces the file, the later ones add their stack to it.
 */
export class FileBaselineStore implements BaselineStore {
  private written: ResultDocument | undefined;

  constructor(
    private readonly readFrom: string | null,
    private readonly writeTo: string | null,
  ) {}

  async restore(stack: string): Promise<StoredBaseline | undefined> {
    if (!this.readFrom) return undefined;
    const doc = readResultFile(this.readFrom);
    const r = doc.results.find((x) => x.stack.name === stack);
    return r ? { doc: { ...doc, results: [r] }, source: this.readFrom } : undefined;
  }

  async save(_stack: string, _env: string, _sha: string, doc: ResultDocument): Promise<string | undefined> {
    if (!this.writeTo) return undefined;
    this.written = this.written ? { ...this.written, results: [...this.written.results, ...doc.results] } : doc;
    mkdirSync(dirname(this.writeTo), { recursive: true });
    writeFileSync(this.writeTo, `${JSON.stringify(this.written, null, 2)}\n`);
    return this.writeTo;
  }
}
