// The Action's side of a mode's interfaces: log lines, folded phases and progress into the job log,
// warnings as annotations, and each component recorded for the post step's cleanup.

import * as core from "@actions/core";
import type { ModeIo } from "../modes/io.js";
import { progressLine } from "../report/progress.js";
import { recordComponent } from "../stack/cleanup.js";

export interface ActionIo extends ModeIo {
  /** Closes the log group a phase opened. */
  endGroup: () => void;
}

export function actionIo(stateFile: string): ActionIo {
  let group: string | undefined;
  let lastProgress = 0;
  return {
    log: (line) => core.info(line),
    warn: (line) => core.warning(line),
    onPhase: (stack, phase) => {
      if (group) core.endGroup();
      group = `${stack}: ${phase}`;
      core.startGroup(group);
    },
    // A progress line every 5 s keeps the log readable.
    onProgress: (stack, p) => {
      if (p.elapsedSeconds - lastProgress < 5 && p.elapsedSeconds > 1.5) return;
      lastProgress = p.elapsedSeconds;
      core.info(progressLine(stack, p));
    },
    onComponent: (c) => recordComponent(stateFile, c),
    endGroup: () => {
      if (group) core.endGroup();
      group = undefined;
    },
  };
}
