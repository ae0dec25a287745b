// The environment every process loadgate starts gets: an allowlist, never the whole environment of
// the job. A CI job's environment holds what the code under test must not see (ACTIONS_RUNTIME_TOKEN,
// ACTIONS_ID_TOKEN_REQUEST_*, GITHUB_TOKEN, the INPUT_* inputs with github-token among them, the paths
// of GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STATE / GITHUB_PATH / GITHUB_STEP_SUMMARY). Pure rules: the
// caller passes the environment in; nothing here reads process.env.

export type Env = Readonly<Record<string, string | undefined>>;

/** What any process needs to behave as on this machine: where programs are, home, user, locale, time zone, temp folder. */
const BASE_NAMES = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR"];
/** Network settings a process behind a proxy or a TLS-inspecting gateway cannot do without. */
const NETWORK_NAMES = [
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "ALL_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "all_proxy",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "REQUESTS_CA_BUNDLE",
  "CURL_CA_BUNDLE",
  "NODE_EXTRA_CA_CERTS",
];
const BASE_PREFIXES = ["LC_"];
/**
 * loadgate's own test tag (test/integration/helpers.ts runTagged): a random label, no secret, by which
 * its tests find every process a run started, the app's included.
 */
const TEST_TAG = "LOADGATE_TEST_TAG";

/** What each helper tool loadgate runs needs beyond the base, and the values loadgate sets for it. */
const TOOLS = {
  /** pip's own configuration (PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, PIP_CERT, PIP_CONFIG_FILE, …) and where pip.conf and its cache are. */
  pip: { names: ["XDG_CACHE_HOME", "XDG_CONFIG_HOME"], prefixes: ["PIP_"], set: { PIP_NO_INPUT: "1" } },
  /** Configuration a workflow may give git (GIT_CONFIG_COUNT/KEY_n/VALUE_n, GIT_CONFIG_GLOBAL), ssh for an ssh remote. */
  git: {
    names: ["XDG_CONFIG_HOME", "GIT_SSH", "GIT_SSH_COMMAND", "SSH_AUTH_SOCK"],
    prefixes: ["GIT_CONFIG_"],
    set: { GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
  },
  apt: { names: ["APT_CONFIG"], prefixes: [], set: { DEBIAN_FRONTEND: "noninteractive" } },
} as const;

export type Tool = keyof typeof TOOLS;

/**
 * Variables app.pass-env may not name: the runner's own (ACTIONS_*: the runtime and OIDC tokens, the
 * cache and results services), the inputs of the step (INPUT_*, github-token among them), and the
 * runner's command files, through which a process would set the environment, outputs, state or PATH
 * of the job's later steps. GITHUB_TOKEN and GH_TOKEN may be named: that gives the token to the app.
 */
export function passEnvRefusal(name: string): string | undefined {
  if (/^(ACTIONS|INPUT)_/.test(name)) {
    return `${name} is the runner's own (ACTIONS_*) or a step input (INPUT_*): it is never passed to the code under test.`;
  }
  if (RUNNER_FILES.includes(name)) {
    return `${name} is the path of one of the runner's command files: a process that writes it changes the job's later steps, so it is never passed.`;
  }
  return undefined;
}

const RUNNER_FILES = ["GITHUB_ENV", "GITHUB_STATE", "GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STEP_SUMMARY"];

function pick(env: Env, names: readonly string[], prefixes: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    if (names.includes(k) || prefixes.some((p) => k.startsWith(p))) out[k] = v;
  }
  return out;
}

/** The allowlisted part of `env` every process loadgate starts gets (the app, its setup commands, helpers). */
export function baseEnvOf(env: Env): Record<string, string> {
  return pick(env, [...BASE_NAMES, ...NETWORK_NAMES, TEST_TAG], BASE_PREFIXES);
}

/** The environment of one helper tool (pip, git, apt-get): the base, what the tool reads, what loadgate sets for it. */
export function toolEnvOf(tool: Tool, env: Env, extra: Record<string, string> = {}): Record<string, string> {
  const t = TOOLS[tool];
  return { ...baseEnvOf(env), ...pick(env, t.names, t.prefixes), ...t.set, ...extra };
}

/** The variables a stack file's app.pass-env names, with their values in `env` (unset ones are left out). */
export function passEnvOf(names: readonly string[], env: Env): Record<string, string> {
  return pick(env, names, []);
}
