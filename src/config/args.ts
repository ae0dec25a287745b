// A command's argv → its flags and positionals (node:util parseArgs, strict), with the two things a
// user expects of a command line that parseArgs does not do: a negative value after a flag
// ("--throughput-threshold -5%") is the flag's value, and a mistake names the command's help.

import { type ParseArgsConfig, parseArgs } from "node:util";
import { UserError } from "../errors.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** "-5%", "-0.5", "-3": a value, not a flag. */
const NEGATIVE = /^-\d/;

/** `--name -5%` → `--name=-5%` for the string flags of `options`. */
function joinNegativeValues(argv: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith("--") ? argv[i].slice(2) : null;
    const next = argv[i + 1];
    if (name && options[name]?.type === "string" && next !== undefined && NEGATIVE.test(next)) {
      out.push(`${argv[i]}=${next}`);
      i++;
    } else out.push(argv[i]);
  }
  return out;
}

/** parseArgs, strict, positionals allowed; its errors become a UserError that points at `loadgate <command> --help`. */
export function parseFlags<T extends Options>(argv: readonly string[], options: T, command: string) {
  try {
    return parseArgs({
      args: joinNegativeValues(argv, options),
      options,
      allowPositionals: true as const,
      strict: true as const,
    });
  } catch (err) {
    const message = (err as Error).message.replace(/\s*To specify.*$/s, "").replace(/\.$/, "");
    throw new UserError(`${message}. See "loadgate ${command} --help".`);
  }
}
