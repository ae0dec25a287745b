/** Milliseconds with microsecond resolution shown to a sensible precision. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}

export function formatRps(rps: number): string {
  if (!Number.isFinite(rps)) return "–";
  return rps >= 100 ? Math.round(rps).toString() : rps.toFixed(1);
}

export function formatPercent(fraction: number, signed = true): string {
  if (!Number.isFinite(fraction)) return "–";
  const v = (fraction * 100).toFixed(1);
  return signed && fraction > 0 ? `+${v}%` : `${v}%`;
}
