/** An input that takes several values: one per line or comma-separated ("a, b" or "a\nb"), blanks dropped. */
export function splitList(raw: string): string[] {
  return raw
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}
