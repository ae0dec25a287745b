// Pure: a readiness path guessed from the routes an app's source declares. A route with a parameter
// (<id>, {id}, :id) is no use for a probe; "/" is preferred, then any route that is not a health
// check (the same path is the first load request, and a health check is a poor thing to measure).

import type { Guessed } from "./draft.js";

/** Route declarations, one capture group: the path. Python, JavaScript and Go forms. */
const ROUTE_PATTERNS = [
  // Flask, FastAPI: @app.route("/x"), @app.get("/x"), @router.get("/x")
  /@\w+(?:\.\w+)*\.(?:route|get|api_route)\(\s*["'](\/[^"']*)["']/g,
  // Starlette: Route("/x", endpoint)
  /\bRoute\(\s*["'](\/[^"']*)["']/g,
  // Express, Fastify, Koa routers: app.get("/x", ...)
  /\.get\(\s*["'`](\/[^"'`]*)["'`]/g,
  // Go: http.HandleFunc("/x", ...), mux.HandleFunc("GET /x", ...), r.GET("/x", ...)
  /\.(?:HandleFunc|Handle|GET|Get)\(\s*"(?:GET )?(\/[^"]*)"/g,
];

/** Django's urlpatterns: path("x", view) without include(); its paths have no leading slash. */
const DJANGO_PATH = /\b(?:re_)?path\(\s*r?["']\^?([^"']*?)\$?["']\s*,(?!\s*include\()/g;

const HEALTH = /^\/(?:health|healthz|ready|readyz|live|livez|ping|status)\/?$/;

const usable = (p: string) => !/[<>{}:*?()[\]\\]/.test(p) && !p.startsWith("/admin") && !p.startsWith("/static");

/** The routes declared in `text` (in order), as paths. */
export function routesIn(text: string, django = false): string[] {
  const found: string[] = [];
  if (django) {
    for (const m of text.matchAll(DJANGO_PATH)) found.push(`/${m[1]}`);
  } else {
    for (const re of ROUTE_PATTERNS) for (const m of text.matchAll(re)) found.push(m[1]);
  }
  return [...new Set(found.filter(usable))];
}

/** The readiness path for routes found in `where` (a file name, for the comment); "/" when none. */
export function guessReady(routes: readonly string[], where: string): Guessed<string> {
  if (routes.length === 0) {
    return { value: "/", guess: `no route found in ${where}; set a path that answers 2xx without a login` };
  }
  const pick = routes.includes("/") ? "/" : (routes.find((r) => !HEALTH.test(r)) ?? routes[0]);
  return { value: pick, guess: `the route ${pick} in ${where}; it must answer 2xx without a login` };
}
