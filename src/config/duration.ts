/**
 * Seconds from a duration: a number of seconds, or text "500ms", "5s", "2m", or plain "10".
 * The one duration parser for the stack file, the CLI flags and the Action inputs; NaN when malformed.
 * (The stack file's schema asks for a unit on text; flags and inputs may leave it out.)
 */
export function parseDuration(value: number | string): number {
  if (typeof value === "number") return value;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === "ms" ? n / 1000 : m[2] === "m" ? n * 60 : n;
}

/** An age with a unit, "90m", "36h", "7d" (or "30s"), in seconds; NaN when malformed. */
export function parseAge(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(value.trim());
  if (!m) return Number.NaN;
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s" | "m" | "h" | "d"];
  return Number(m[1]) * unit;
}

/** A threshold like "+10%" or "-5%" as a signed fraction (0.10, -0.05). */
export function parsePercent(value: string): number {
  const m = /^([+-])(\d+(?:\.\d+)?)%$/.exec(value.trim());
  if (!m) return Number.NaN;
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) / 100);
}

/**
 * The most requests that may fail, "<1%" (the stack file's form) or "1%" (flags and inputs), as a
 * fraction (0.01). N runs from 0 to 100; anything else (no %, a sign, a space, "> 1%") is NaN.
 */
export function parseErrorRate(value: string, form: "<N%" | "N%"): number {
  const m = (form === "<N%" ? /^<(\d+(?:\.\d+)?)%$/ : /^<?(\d+(?:\.\d+)?)%$/).exec(value);
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return n <= 100 ? n / 100 : Number.NaN;
}

/** What an error-rate field expects, for the error messages of the stack file, the flag and the input. */
export const ERROR_RATE_FORM = {
  "<N%": '"<N%" with N from 0 to 100, e.g. "<1%"',
  "N%": "a percentage from 0% to 100%, e.g. 1%",
} as const;
