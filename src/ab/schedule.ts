// Pure: the order of trials in a same-runner A/B comparison.

export type Side = "base" | "head";

export interface Block {
  /** Trials in order; each adjacent two (0-1, 2-3) form a pair. */
  order: Side[];
}

/**
 * Blocks of two pairs in ABBA order, alternating with BAAB, so that a linear drift within a block
 * and across blocks cancels out. Both stacks are restarted between blocks: two fixed instances
 * differ by a few percent by luck alone, which pairing cannot remove.
 */
export function abBlocks(pairs: number): Block[] {
  const blocks: Block[] = [];
  for (let made = 0, k = 0; made < pairs; k++) {
    const first: Side = k % 2 === 0 ? "base" : "head";
    const second: Side = first === "base" ? "head" : "base";
    const order = pairs - made >= 2 ? [first, second, second, first] : [first, second];
    blocks.push({ order });
    made += order.length / 2;
  }
  return blocks;
}
