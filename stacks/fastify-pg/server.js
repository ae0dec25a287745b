// Fastify + node-postgres: the study's GET /test served by Node.js.
//
//   node server.js <port> [workers]
//
// GET /test looks up one random row of `test` by primary key through PgBouncer (DATABASE_URL) and
// answers {"a": "<a zero-padded to 10 digits>", "b": "<b>"}, byte for byte the 48 bytes the Python
// rows send. With more than one worker the node:cluster primary forks that many processes, which
// share the port (Node is one event loop per process, as each async Python row's worker is).
// Each process has its own pg Pool; queries go as unnamed statements, so PgBouncer's transaction
// pooling needs no prepared-statement support. No request logging.
//
// loadgate's cost run sets LOADGATE_SEED so the rows looked up are the same on every run.
import cluster from "node:cluster";
import Fastify from "fastify";
import pg from "pg";

const port = Number(process.argv[2]);
const workers = Number(process.argv[3] ?? 1);
const MAX_A = 999_999;
const QUERY = "select a, b from test where a = $1";

if (!Number.isInteger(port) || !Number.isInteger(workers) || workers < 1) {
  console.error("usage: node server.js <port> [workers]");
  process.exit(2);
}

if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  // A worker that dies is a crash of the app: exit, so loadgate reports it instead of measuring fewer workers.
  cluster.on("exit", (worker, code, signal) => {
    console.error(`worker ${worker.process.pid} exited (${signal ?? code}); stopping`);
    process.exit(1);
  });
} else {
  await serve();
}

/** A uniform integer in 1..max: Math.random, or a fixed sequence (mulberry32) under LOADGATE_SEED. */
function randomInt(max) {
  if (!process.env.LOADGATE_SEED) return 1 + Math.floor(Math.random() * max);
  randomInt.state ??= Number(process.env.LOADGATE_SEED) >>> 0;
  randomInt.state = (randomInt.state + 0x6d2b79f5) >>> 0;
  let t = randomInt.state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return 1 + Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * max);
}

async function serve() {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  // An idle connection that breaks (PgBouncer restarting) must not crash the process.
  pool.on("error", (err) => console.error(`idle connection error: ${err.message}`));
  const app = Fastify({ logger: false });
  app.get("/test", async (_request, reply) => {
    const { rows } = await pool.query(QUERY, [randomInt(MAX_A)]);
    const { a, b } = rows[0];
    reply.type("application/json");
    return `{"a": "${String(a).padStart(10, "0")}", "b": ${JSON.stringify(b)}}`;
  });
  await app.listen({ host: "127.0.0.1", port });
}
