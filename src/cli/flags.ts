import { UserError } from "../errors.js";

/** Takes `--name value` (or `--name=value`) out of argv: the flags only one command has. */
export function takeFlag(argv: string[], name: string): { value: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === name) {
      value = argv[++i];
      if (value === undefined) throw new UserError(`${name}: expected a value.`);
    } else if (argv[i].startsWith(`${name}=`)) value = argv[i].slice(name.length + 1);
    else rest.push(argv[i]);
  }
  return { value, rest };
}
