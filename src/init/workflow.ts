// Pure: the GitHub workflow init writes. Two jobs, each with only the permissions it needs: `measure`
// (read-only) runs the Action on the stack and keeps its Result as an artifact; `loadgate-report`
// (pull-requests: write) posts the comment and carries the verdict, so it is the check to require.
// The same shape as the matrix recipe (mode: report over the Results of earlier jobs).

import type { Guessed } from "./draft.js";
import { scalar } from "./render.js";

export const WORKFLOW_PATH = ".github/workflows/loadgate.yml";

/** The placeholder for the Action's reference, explained once in the workflow's header. */
export const ACTION_REF = "<owner>/loadgate@<tag or commit>";

// The releases docs/recipes.md pins (v6.1.0, v7.0.0, v8.0.1), by commit: a tag can be moved.
const CHECKOUT = "actions/checkout@d23441a48e516b6c34aea4fa41551a30e30af803 # v6.1.0";
const UPLOAD = "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f # v7.0.0";
const DOWNLOAD = "actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c # v8.0.1";

export interface WorkflowDraft {
  /** The stack folder, relative to the repository root (POSIX), "." for the root itself. */
  stack: string;
  /** The default branch: pushes to it store the baseline. */
  branch: Guessed<string>;
}

export function renderWorkflow(w: WorkflowDraft): string {
  const branch = w.branch.guess ? [`    # guessed: ${w.branch.guess}`] : [];
  return `# Written by \`loadgate init\`: gates pull requests (and the merge queue) on the P99 latency and
# throughput of the stack in ${w.stack}, measured against the merge base on the same runner;
# pushes to the default branch store a baseline. Require the "loadgate-report" check.
#
# ${ACTION_REF}: replace it with the repository that holds loadgate
# (owner/name) and a release tag or, safer, a full commit SHA, e.g. someone/loadgate@v0.1.0.
# Pin a commit SHA when you do not control that repository: a tag can be moved.
name: loadgate
on:
  pull_request:
  merge_group:
  push:
${branch.join("\n")}${branch.length ? "\n" : ""}    branches: [${scalar(w.branch.value)}]
permissions: {}                # each job asks for what it needs
jobs:
  measure:
    runs-on: ubuntu-24.04
    permissions:
      contents: read           # read-only: it runs the pull request's code; the next job comments
    steps:
      - uses: ${CHECKOUT}
        with:
          fetch-depth: 0       # the A/B against the merge base checks out both commits
          persist-credentials: false
      - uses: ${ACTION_REF}
        id: loadgate
        with:
          stack: ${scalar(w.stack)}
          install: true        # apt-get PostgreSQL, PgBouncer, nginx; pip the app's requirements
          comment: never       # loadgate-report posts it
          fail-on-regression: false   # loadgate-report fails instead, once
      - uses: ${UPLOAD}
        if: always() && steps.loadgate.outputs.result != ''
        with:
          name: loadgate-result
          path: \${{ steps.loadgate.outputs.result }}
  loadgate-report:
    needs: measure
    if: always() && github.event_name != 'push'
    runs-on: ubuntu-24.04
    permissions:
      pull-requests: write     # the comment; no checkout, no code of the pull request
    steps:
      - uses: ${DOWNLOAD}
        with:
          name: loadgate-result
          path: results
      - uses: ${ACTION_REF}
        with:
          mode: report
          result-file: results
`;
}
