// Pure: the order of trials in a same-runner A/B comparison.

export type Side = "base" | "head";

export interface Block {
  /** Trials in order; each adjacent two (0-1, 2-3) form a pair. */
  order: Side[];
}

/**
 * The order of one block's four trials: ABBA, alternating with BAAB from block to block, so that a
 * linear drift within a block and across blocks cancels out. Trials 0-1 and 2-3 form the block's
 * two pairs. Both stacks are restarted between blocks: two fixed instances differ by a few percent
 * by luck alone, which pairing cannot remove.
 */
export function blockOrder(block: number): Side[] {
  return block % 2 === 0 ? ["base", "head", "head", "base"] : ["head", "base", "base", "head"];
}
