import { main } from "./main.js";

// Ctrl-C or SIGTERM aborts the run; the engine then stops every component before we exit.
const controller = new AbortController();
let signals = 0;
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(sig, () => {
    signals++;
    if (signals > 2) process.exit(130);
    process.stderr.write(`\nloadgate: ${sig} received, stopping the stack…\n`);
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
process.exitCode = controller.signal.aborted && code !== 0 ? 130 : code;
