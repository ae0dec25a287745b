// Pure: connections the app opened, counted from the logins PgBouncer and PostgreSQL log
// (PgBouncer 1.18 has no login counter; pg_stat_database.sessions reaches the view up to 10 s late).

/** PgBouncer with log_connections = 1: "… login attempt: db=loadgate user=loadgate tls=no". */
export function pgbouncerLogins(log: string, db: string, user: string): number {
  let n = 0;
  for (const line of log.split("\n")) if (line.includes(`login attempt: db=${db} user=${user} `)) n++;
  return n;
}

/** PostgreSQL with log_connections = on: "… connection authorized: user=loadgate database=loadgate …". */
export function postgresLogins(log: string, user: string): number {
  let n = 0;
  for (const line of log.split("\n")) if (line.includes(`connection authorized: user=${user} `)) n++;
  return n;
}
