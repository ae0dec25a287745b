import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";

export interface Position {
  line: number;
  column: number;
}

export interface YamlSource {
  data: unknown;
  syntaxErrors: { position: Position; message: string }[];
  /** Where the value (or, with `key`, the key) at a JSON-pointer-like path sits in the file. */
  locate(path: readonly (string | number)[], key?: boolean): Position;
}

/** Parses YAML keeping the position of every node, so errors can name file:line:column. */
export function parseYamlSource(text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const pos = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const syntaxErrors = doc.errors.map((e) => ({
    position: pos(e.pos[0]),
    message: e.message.split("\n")[0],
  }));
  const locate = (path: readonly (string | number)[], key = false): Position => {
    let node: unknown = doc.contents;
    let last: Node | undefined = (doc.contents as Node | null) ?? undefined;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        const isLast = i === path.length - 1;
        if (isLast && key) {
          last = pair.key as Node;
          break;
        }
        last = (pair.value as Node | null) ?? (pair.key as Node);
        node = pair.value;
      } else if (isSeq(node) && typeof seg === "number") {
        const item = node.items[seg] as Node | undefined;
        if (!item) break;
        last = item;
        node = item;
      } else break;
    }
    const offset = last?.range?.[0] ?? 0;
    return pos(offset);
  };
  return { data: doc.toJS(), syntaxErrors, locate };
}
