import { execFileSync } from "node:child_process";
import { tempDir } from "../support/temp.js";
import { TINY_APP } from "./helpers.js";

/** git in `cwd` with a fixed identity (a fresh CI machine has none); its trimmed output. */
export function gitIn(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@t",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@t",
    },
  }).trim();
}

/** A scratch git repository for A/B tests, and a `git` bound to it. */
export function scratchRepo(prefix: string): { repo: string; git: (...args: string[]) => string } {
  const repo = tempDir(prefix);
  const git = (...args: string[]) => gitIn(repo, ...args);
  git("init", "-q", "-b", "main");
  return { repo, git };
}

/**
 * The tiny app alone (no database, pooler or proxy), slowed by `delayMs` per request. No work count:
 * these A/Bs are about timings (test/integration/ab-work.test.ts counts), and 200 requests one at a
 * time at 20 ms each would add seconds per side.
 */
export const delayedStack = (delayMs: number) => `name: shop
database: none
pooler: none
proxy: none
app:
  webserver: http.server
  framework: stdlib
  command: python3 ${TINY_APP} {port}
  env: { TINY_DELAY_MS: "${delayMs}" }
  ready: { http: /test, timeout: 5s }
load:
  connections: 4
  warmup: 0.3s
  duration: 0.5s
work: false
`;
