import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { baseEnvOf } from "../child-env.js";
import { UserError } from "../errors.js";
import type { Placement } from "../result/types.js";

/** Pure: the load generator gets CPU 0, the stack the rest. */
export function planPlacement(pin: boolean, cores: number): Placement {
  const all = cores > 1 ? `0-${cores - 1}` : "0";
  if (!pin) return { pinned: false, loadGenerator: all, stack: all };
  return { pinned: true, loadGenerator: "0", stack: cores > 2 ? `1-${cores - 1}` : "1" };
}

/** Pins this process (every thread: the load generator) to its CPUs. Components are started under taskset. */
export function applyPlacement(pin: boolean): Placement {
  const cores = availableParallelism();
  if (pin && cores < 2) {
    throw new UserError(
      `--pin needs at least 2 CPUs (one for the load generator, the rest for the stack); this machine has ${cores}.`,
    );
  }
  const placement = planPlacement(pin, cores);
  if (pin) {
    const r = spawnSync("taskset", ["-a", "-p", "-c", placement.loadGenerator, String(process.pid)], {
      encoding: "utf8",
      env: baseEnvOf(process.env),
    });
    if (r.status !== 0) {
      throw new UserError(
        `--pin: taskset failed (${(r.stderr || r.error?.message || "").trim()}). Install util-linux, or run without --pin.`,
      );
    }
  }
  return placement;
}
