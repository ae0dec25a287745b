// A load worker thread: says it is ready, runs its share of the load (src/load/driver.ts runShare)
// from the main thread's start, reports progress twice a second, and sends its trials' recorders when done.
// Started by src/load/threads.ts; bundled as dist/load-worker.js beside the CLI and the Action.

import { parentPort, workerData } from "node:worker_threads";
import { runShare } from "./driver.js";
import { phaseRecorders } from "./recorder.js";
import { toWire } from "./share.js";
import type { StartMessage, StatusMessage, WorkerMessage, WorkerStart } from "./thread-messages.js";

const STATUS_MS = 500;

function main(port: NonNullable<typeof parentPort>, start: WorkerStart, t0EpochMs: number): void {
  const post = (m: WorkerMessage) => port.postMessage(m);
  const phases = phaseRecorders(start.load);
  const all = [phases.recorderFor({ kind: "warmup" })!, ...phases.trials];
  let timer: NodeJS.Timeout | undefined;
  const t0 = t0EpochMs - performance.timeOrigin;
  runShare(start.url, start.load, {}, start.share, t0, phases, (run) => {
    const status = (): StatusMessage => ({
      kind: "status",
      okTotal: run.okTotal,
      lastProgressEpochMs: performance.timeOrigin + run.lastProgress,
      phases: all.map((r) => ({ errors: r.errors.total, p99: r.currentP99() })),
    });
    timer = setInterval(() => post(status()), STATUS_MS);
  }).then(
    () => {
      clearInterval(timer);
      post({ kind: "done", trials: phases.trials.map(toWire) });
    },
    (err: unknown) => {
      clearInterval(timer);
      const e = err instanceof Error ? err : new Error(String(err));
      post({ kind: "error", name: e.name, message: e.message });
    },
  );
}

const port = parentPort;
if (port) {
  port.once("message", (m: StartMessage) => main(port, workerData as WorkerStart, m.t0EpochMs));
  port.postMessage({ kind: "ready" } satisfies WorkerMessage);
}
