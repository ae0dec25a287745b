import type { Progress } from "../load/types.js";
import { formatMs, formatRps } from "./format.js";

/** Pure: the live progress line. */
export function progressLine(stack: string, p: Progress): string {
  const phase = p.phase.kind === "warmup" ? "warmup" : p.phase.kind === "trial" ? `trial ${p.phase.index + 1}` : "done";
  return `[${stack}] ${p.elapsedSeconds.toFixed(0).padStart(3)}/${p.totalSeconds.toFixed(0)} s  ${phase.padEnd(9)} ${formatRps(p.rps).padStart(7)} req/s  errors ${p.errors}  p99 ${formatMs(p.p99)} ms`;
}
