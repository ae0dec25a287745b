import * as core from "@actions/core";
import { messageOf } from "../errors.js";
import { cleanupRecorded, forgetRecorded, readRecorded } from "../stack/cleanup.js";
import { STATE_FILE } from "./state.js";

/**
 * The Action's post step: runs even when main was cancelled or crashed, and stops anything the run
 * left (process groups, marked processes, listeners on its ports).
 */
export async function post(): Promise<void> {
  try {
    const stateFile = core.getState(STATE_FILE);
    if (!stateFile) return;
    const entries = readRecorded(stateFile);
    const killed = await cleanupRecorded(entries);
    if (killed.length > 0) {
      core.warning(`loadgate post: stopped ${killed.length} process(es) the run left behind:\n${killed.join("\n")}`);
    } else {
      core.info(`loadgate post: nothing left behind by ${entries.length} recorded component(s).`);
    }
    forgetRecorded(stateFile);
  } catch (err) {
    core.warning(`loadgate post: cleanup failed: ${messageOf(err)}`);
  }
}
