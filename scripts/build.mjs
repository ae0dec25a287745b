// Bundles the CLI (and later the Action entry points) as ESM for Node 20.
// Some dependencies (autocannon) are CommonJS and call require(); the banner gives them one.
import { build } from "esbuild";

const banner = {
  js: [
    "import { createRequire as __loadgateCreateRequire } from 'node:module';",
    "const require = __loadgateCreateRequire(import.meta.url);",
  ].join("\n"),
};

// load-worker: the load client's worker thread (src/load/threads.ts starts it from beside cli.js or main.js).
const entries = {
  cli: "src/cli/index.ts",
  main: "src/action/main-entry.ts",
  post: "src/action/post-entry.ts",
  "load-worker": "src/load/load-worker.ts",
};

for (const [name, entry] of Object.entries(entries)) {
  await build({
    entryPoints: [entry],
    outfile: `dist/${name}.js`,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    banner: name === "cli" ? { js: `#!/usr/bin/env node\n${banner.js}` } : banner,
    legalComments: "none",
    logLevel: "warning",
  });
}
