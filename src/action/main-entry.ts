import { killAllGroupsNow } from "../stack/process-group.js";
import { run } from "./main.js";

// A bug that escapes run()'s own handling: stop what we started; post would, but only at job end.
process.on("uncaughtException", (err) => {
  killAllGroupsNow();
  process.stdout.write(`::error::loadgate: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

await run();
