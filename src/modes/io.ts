// What a mode needs from the entry point that calls it, beyond the engine's hooks: where warnings go.
// The CLI writes them to stderr; the Action makes them annotations.

import type { EngineHooks } from "../engine/hooks.js";

export interface ModeIo extends EngineHooks {
  warn: (line: string) => void;
}
