import { expect } from "vitest";
import { UserError } from "../../src/errors.js";

/** The message of the UserError `f` throws; fails the test when it throws nothing or something else. */
export function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error("expected a UserError");
}
