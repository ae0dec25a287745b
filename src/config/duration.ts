/** Seconds from a stack-file duration: a number of seconds, or "500ms", "5s", "2m". */
export function parseDuration(value: number | string): number {
  if (typeof value === "number") return value;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(value.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === "ms" ? n / 1000 : m[2] === "m" ? n * 60 : n;
}

/** A threshold like "+10%" or "-5%" as a signed fraction (0.10, -0.05). */
export function parsePercent(value: string): number {
  const m = /^([+-])(\d+(?:\.\d+)?)%$/.exec(value.trim());
  if (!m) return Number.NaN;
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) / 100);
}
