// Pure: which phase a moment of the run belongs to. One continuous load: a warmup that is not
// recorded, then the trials back to back, so no trial starts cold on fresh connections.

export type Phase = { kind: "warmup" } | { kind: "trial"; index: number } | { kind: "done" };

export interface Schedule {
  warmupSeconds: number;
  durationSeconds: number;
  trials: number;
}

export function totalSeconds(s: Schedule): number {
  return s.warmupSeconds + s.durationSeconds * s.trials;
}

export function phaseAt(elapsedSeconds: number, s: Schedule): Phase {
  if (elapsedSeconds < s.warmupSeconds) return { kind: "warmup" };
  const index = Math.floor((elapsedSeconds - s.warmupSeconds) / s.durationSeconds);
  return index < s.trials ? { kind: "trial", index } : { kind: "done" };
}
