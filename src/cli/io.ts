// What every command gets from the process (argv, folders, environment, output streams, Ctrl-C),
// and the hooks that turn a mode's log and progress into lines on stderr.

import type { Progress } from "../load/types.js";
import type { ModeIo } from "../modes/io.js";
import { progressLine } from "../report/progress.js";

export interface CliIo {
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  signal?: AbortSignal;
}

/** Log lines on stderr; progress on one rewritten line on a terminal, every line otherwise. `finish` ends the progress line. */
export function modeIo(io: CliIo, o: { progress?: "always" | "tty" } = {}): ModeIo & { finish: () => void } {
  let lastProgress = "";
  const progress = o.progress ?? "always";
  return {
    log: (line: string) => {
      if (lastProgress && io.isTTY) io.stderr("\n");
      lastProgress = "";
      io.stderr(`${line}\n`);
    },
    warn: (line: string) => io.stderr(`warning: ${line}\n`),
    onProgress: (stack: string, p: Progress) => {
      if (progress === "tty" && !io.isTTY) return;
      lastProgress = progressLine(stack, p);
      io.stderr(io.isTTY ? `\r${lastProgress}\x1b[K` : `${lastProgress}\n`);
    },
    signal: io.signal,
    finish: () => {
      if (lastProgress && io.isTTY) io.stderr("\n");
      lastProgress = "";
    },
  };
}
