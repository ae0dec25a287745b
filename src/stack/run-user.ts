import { readFileSync } from "node:fs";

export interface RunUser {
  name: string;
  uid: number;
  gid: number;
}

/**
 * PostgreSQL and PgBouncer refuse to run as root. When we are root, the infrastructure
 * components run as this unprivileged user instead: `postgres` when the package created it,
 * else `nobody`. Undefined when we are not root (everything runs as us).
 */
export function unprivilegedUser(): RunUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let passwd = "";
  try {
    passwd = readFileSync("/etc/passwd", "utf8");
  } catch {
    return { name: "nobody", uid: 65534, gid: 65534 };
  }
  const entries = passwd
    .split("\n")
    .map((l) => l.split(":"))
    .filter((f) => f.length >= 4);
  for (const wanted of ["postgres", "nobody"]) {
    const e = entries.find((f) => f[0] === wanted);
    if (e) return { name: wanted, uid: Number(e[2]), gid: Number(e[3]) };
  }
  return { name: "nobody", uid: 65534, gid: 65534 };
}
