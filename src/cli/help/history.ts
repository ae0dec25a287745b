// Pure: the help of `loadgate history`.

import { DEFAULT_DATA_BRANCH } from "../../baseline/branch-data.js";
import { MIN_EFFECT, MIN_POINTS } from "../../drift/detect.js";
import { type CommandSpec, EXIT, pct, README } from "./render.js";

export const HISTORY: CommandSpec = {
  summary: "main's baselines of a stack over time, with the commits where performance stepped",
  usage: ["loadgate history <stack-name> [--from FILE | --branch NAME] [flags]"],
  about:
    "Looks for change points (E-divisive means with a permutation test) in each series of main's baselines: " +
    `throughput, P50, P99 and, from the data branch, instructions per request. Steps smaller than ${pct(MIN_EFFECT.throughput)} ` +
    `(throughput, P50), ${pct(MIN_EFFECT.p99)} (P99) or ${pct(MIN_EFFECT.instructions)} (instructions) are not reported; ` +
    `a series needs ${MIN_POINTS} baselines. Prints a chart per series with ^ under each change point, and a table of them.`,
  args: [["<stack-name>", "the stack's name, as its stack file's name: says"]],
  flags: [
    [
      "from",
      {
        arg: "FILE",
        text: "a data-branch history file (baselines/<stack>.json) or a Result / baseline file with history",
        default: "none: read --branch",
      },
    ],
    [
      "branch",
      {
        arg: "NAME",
        text: "read baselines/<stack>.json from this branch of the repository here (the local branch, else origin/NAME)",
        default: DEFAULT_DATA_BRANCH,
      },
    ],
    ["json", { arg: "FILE", text: "also write the series and change points as JSON", default: "not written" }],
    ["markdown", { arg: "FILE", text: "also write the table of change points as Markdown", default: "not written" }],
  ],
  exit: [
    [0, "shown (change points or not)"],
    [EXIT.bad[0], "bad input: no such file or branch, a file of another stack, too few baselines, a bad flag"],
  ],
  readme: README("Drift on main"),
};
