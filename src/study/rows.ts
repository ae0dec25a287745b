// Pure: the thirteen rows of "Async Python is not faster" (Cal Paterson, 2020) as published, and the
// built-in stack that reproduces each.

export interface Published {
  workers: number;
  p50: number;
  p99: number;
  throughput: number;
}

export interface StudyRow {
  /** The built-in stack's folder under stacks/. */
  stack: string;
  webserver: string;
  framework: string;
  published: Published;
}

/** The study's machine: the figures below were measured on it. */
export const STUDY_MACHINE = "4 vCPU (Hetzner CX31)";
export const STUDY_CORES = 4;

/** In the study's order (by P99): workers, P50 ms, P99 ms, requests per second. */
export const STUDY_ROWS: readonly StudyRow[] = [
  row("gunicorn-meinheld-falcon", "Gunicorn + meinheld", "Falcon", 16, 17, 31, 5589),
  row("gunicorn-meinheld-bottle", "Gunicorn + meinheld", "Bottle", 16, 17, 32, 5780),
  row("uwsgi-http-bottle", "uWSGI over http", "Bottle", 16, 18, 32, 5497),
  row("uwsgi-http-flask", "uWSGI over http", "Flask", 16, 22, 33, 4431),
  row("gunicorn-meinheld-flask", "Gunicorn + meinheld", "Flask", 16, 21, 35, 4510),
  row("uwsgi-uwsgi-bottle", "uWSGI over 'uwsgi'", "Bottle", 16, 18, 36, 5281),
  row("uwsgi-http-falcon", "uWSGI over http", "Falcon", 16, 18, 37, 5415),
  row("gunicorn-flask", "Gunicorn", "Flask", 14, 28, 42, 3473),
  row("uvicorn-starlette", "Uvicorn", "Starlette", 5, 16, 75, 4952),
  row("aiohttp", "AIOHTTP", "AIOHTTP", 5, 19, 76, 4501),
  row("uvicorn-sanic", "Uvicorn", "Sanic", 5, 17, 85, 4687),
  row("gunicorn-gevent-flask", "Gunicorn + gevent", "Flask", 12, 24, 136, 3077),
  row("daphne-starlette", "Daphne", "Starlette", 5, 20, 364, 2678),
];

function row(
  stack: string,
  webserver: string,
  framework: string,
  workers: number,
  p50: number,
  p99: number,
  throughput: number,
): StudyRow {
  return { stack, webserver, framework, published: { workers, p50, p99, throughput } };
}

/** The rows named (by stack folder), in the study's order; every unknown name in one error message. */
export function selectRows(names: readonly string[]): { rows: StudyRow[]; unknown: string[] } {
  if (names.length === 0) return { rows: [...STUDY_ROWS], unknown: [] };
  const known = new Set(STUDY_ROWS.map((r) => r.stack));
  const unknown = names.filter((n) => !known.has(n));
  return { rows: STUDY_ROWS.filter((r) => names.includes(r.stack)), unknown };
}
