/**
 * Captures what `@actions/core` (info, warning, ::add-mask::, ...) and `@actions/exec` ("[command]/usr/bin/tar ...")
 * print: both write straight to process.stdout, which would otherwise clutter the test output.
 */
export interface CapturedLog {
  text(): string;
  restore(): void;
}

export function captureActionsLog(): CapturedLog {
  const chunks: string[] = [];
  const original = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  return {
    text: () => chunks.join(""),
    restore: () => {
      process.stdout.write = original;
    },
  };
}
