// The GitHub edge for the HTML report: one file uploaded as an artifact of this workflow run, with
// the official client (@actions/artifact), which reads its service's address and token from the
// runner's environment as @actions/cache does.

import { basename, dirname } from "node:path";
import { DefaultArtifactClient } from "@actions/artifact";

export interface UploadedArtifact {
  id: number;
  name: string;
  /** The artifact's page in the workflow run, where it is downloaded. */
  url: string;
}

/** Where the run's artifacts are shown: the server, the repository and the run (from the runner's environment). */
export interface RunLocation {
  serverUrl: string;
  owner: string;
  repo: string;
  runId: string;
}

/**
 * Pure: the artifact's file name, from the stacks it reports: a workflow run holds one artifact per
 * name, so two jobs (a matrix over stacks) must not share one. Only the characters artifact names
 * and file names take everywhere.
 */
export function reportArtifactName(stackNames: readonly string[]): string {
  const slug = [...stackNames]
    .sort()
    .join("-")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[-.]+|-+$/g, "")
    .slice(0, 80);
  return `loadgate-report${slug ? `-${slug}` : ""}.html`;
}

/** Pure: the link to an artifact, or undefined when the runner did not say where the run is. */
export function artifactUrl(run: RunLocation, id: number): string | undefined {
  if (!/^https?:\/\/[^\s()<>]+$/.test(run.serverUrl) || !/^\d+$/.test(run.runId)) return undefined;
  return `${run.serverUrl.replace(/\/+$/, "")}/${encodeURIComponent(run.owner)}/${encodeURIComponent(run.repo)}/actions/runs/${run.runId}/artifacts/${id}`;
}

/** Uploads `file` as it is (not zipped), named by its file name, so it opens as the HTML it is. */
export async function uploadFileArtifact(file: string, run: RunLocation): Promise<UploadedArtifact> {
  const client = new DefaultArtifactClient();
  const { id } = await client.uploadArtifact(basename(file), [file], dirname(file), { skipArchive: true });
  if (id === undefined) throw new Error("the artifact service answered without an artifact id");
  return { id, name: basename(file), url: artifactUrl(run, id) ?? "" };
}
