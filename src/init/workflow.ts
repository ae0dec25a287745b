// Pure: the GitHub workflow init writes. Two jobs, each with only the permissions it needs: `measure`
// (read-only) runs the Action on the stack and keeps its Result as an artifact; `loadgate-report`
// (pull-requests: write) posts the comment and carries the verdict, so it is the check to require.
// The same shape as the matrix recipe (mode: report over the Results of earlier jobs).

import type { Guessed } from "./draft.js";
import { scalar } from "./render.js";

export const WORKFLOW_PATH = ".github/workflows/loadgate.yml";

/** The placeholder for the Action's reference, explained once in the workflow's header. */
export const ACTION_REF = "<owner>/loadgate@<tag or commit>";

export interface WorkflowDraft {
  /** The stack folder, relative to the repository root (POSIX), "." for the root itself. */
  stack: string;
  /** The default branch: pushes to it store the baseline. */
  branch: Guessed<string>;
}

export function renderWorkflow(w: WorkflowDraft): string {
  const branch = w.branch.guess ? [`      # guessed: ${w.branch.guess}`] : [];
  return `# Written by \`loadgate init\`: gates pull requests (and the merge queue) on the P99 latency and
# throughput of the stack in ${w.stack}, measured against the merge base on the same runner;
# pushes to the default branch store a baseline. Require the "loadgate-report" check.
#
# ${ACTION_REF}: replace it with the repository that holds loadgate (owner/name) and a
# release tag or, safer, a full commit SHA, e.g. uses: someone/loadgate@v0.1.0. Pin a commit SHA
# when you do not control that repository: a tag can be moved.
name: loadgate
on:
  pull_request:
  merge_group:
  push:
${branch.join("\n")}${branch.length ? "\n" : ""}    branches: [${scalar(w.branch.value)}]
jobs:
  measure:
    runs-on: ubuntu-24.04
    permissions:
      contents: read           # reads the code; the comment is posted by the next job
    steps:
      - uses: actions/checkout@v6
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
      - uses: actions/upload-artifact@v7
        if: always() && steps.loadgate.outputs.result != ''
        with:
          name: loadgate-result
          path: \${{ steps.loadgate.outputs.result }}
  loadgate-report:
    needs: measure
    if: always() && github.event_name != 'push'
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      pull-requests: write     # the sticky comment on the pull request
    steps:
      - uses: actions/download-artifact@v8
        with:
          name: loadgate-result
          path: results
      - uses: ${ACTION_REF}
        with:
          mode: report
          result-file: results
`;
}
