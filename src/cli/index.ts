import { messageOf } from "../errors.js";
import { forceStopAllNow } from "../stack/launch.js";
import { main } from "./main.js";

// A closed pipe (the reader of our output went away) must not crash the run and strand the stack.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);

// A bug that escapes every handler: kill whatever we started before dying, so nothing is left behind.
for (const event of ["uncaughtException", "unhandledRejection"] as const) {
  process.on(event, (err: unknown) => {
    const killed = forceStopAllNow();
    try {
      process.stderr.write(
        `loadgate: internal error: ${messageOf(err)}${killed ? ` (killed ${killed} process(es) of the stack)` : ""}\n`,
      );
    } catch {
      // nowhere to write
    }
    process.exit(3);
  });
}

// Ctrl-C or SIGTERM aborts the run; the engine then stops every component before we exit. A
// second signal waits for that; a third (an impatient user, a runner cancelling a job and then
// killing it) stops everything at once instead, so no signal ever leaves the stack running.
const controller = new AbortController();
let signals = 0;
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(sig, () => {
    signals++;
    if (signals >= 3) {
      const killed = forceStopAllNow();
      try {
        process.stderr.write(`loadgate: ${sig} again: killed ${killed} process(es) of the stack at once, exiting.\n`);
      } catch {
        // nowhere to write
      }
      process.exit(130);
    }
    process.stderr.write(
      signals === 1
        ? `loadgate: ${sig} received, stopping the stack…\n`
        : `loadgate: ${sig} received again: still stopping the stack (a third signal kills it at once)…\n`,
    );
    controller.abort(new Error(`interrupted by ${sig}`));
  });
}

const code = await main({
  argv: process.argv.slice(2),
  cwd: process.cwd(),
  env: process.env,
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTTY: Boolean(process.stderr.isTTY),
  signal: controller.signal,
});
// `loadgate up` ends on a signal by design; a run cut short by one exits 130.
const interruptedRun = controller.signal.aborted && code !== 0;
process.exitCode = interruptedRun ? 130 : code;
