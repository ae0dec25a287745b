import { main } from "./main.js";

// Ctrl-C or SIGTERM aborts the run; the engine then stops every component before we exit.
const controller = new AbortController();
let signals = 0;
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(sig, () => {
    signals++;
    if (signals > 2) process.exit(130);
    process.stderr.write(`loadgate: ${sig} received, stopping the stack…\n`);
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
