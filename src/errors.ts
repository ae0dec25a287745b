// Exit codes are part of the CLI contract (DESIGN.md): scripts rely on them.
export const ExitCode = {
  ok: 0,
  regression: 1,
  badInput: 2,
  stackFailed: 3,
} as const;

/** A mistake in what the user gave us (flags, stack file, baseline file). Exit 2, no stack trace. */
export class UserError extends Error {
  readonly exitCode = ExitCode.badInput;
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}

/** A component of the stack did not start, crashed, or left a process or port behind. Exit 3. */
export class StackError extends Error {
  readonly exitCode = ExitCode.stackFailed;
  constructor(message: string) {
    super(message);
    this.name = "StackError";
  }
}

/** Any thrown value as one line of text: a non-Error throw must never leave a step green. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof UserError || error instanceof StackError) return error.exitCode;
  return ExitCode.stackFailed;
}
