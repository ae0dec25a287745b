import { join } from "node:path";
import type { Binaries } from "./binaries.js";
import { renderNginxConf } from "./configs.js";
import { type LaunchContext, type StackPart, startOnFreePort } from "./launch.js";
import { httpProbe, type ProbeAnswer } from "./probes.js";
import { notReadyText, waitReady } from "./process-group.js";
import { writeNewFile } from "./run-folder.js";

export interface NginxContext extends LaunchContext {
  binaries: Binaries;
  nginxSupportsErrorFlag: boolean;
}

/** Seconds nginx has to answer 2xx on the app's ready path. */
const NGINX_READY_SECONDS = 15;

/**
 * nginx as the reverse proxy in front of the app; the load goes to it. Its configuration sits in
 * <run>/nginx, which stays root's; only <run>/nginx/prefix (its pid file and temporary folders) is
 * given to the unprivileged user nginx runs as.
 */
export const nginxPart: StackPart<NginxContext> = {
  name: "nginx",
  wanted: (plan) => plan.spec.proxy !== null,
  async start(plan, ctx, launch) {
    const { spec } = plan;
    const proxy = spec.proxy!;
    const { ports } = launch;
    const dir = launch.dir("nginx");
    const prefix = launch.dir("nginx/prefix", { mode: 0o755 });
    let attempt = 0;
    await startOnFreePort(launch, "nginx", async (port) => {
      ports.nginx = port;
      const conf = join(dir, attempt++ === 0 ? "nginx.conf" : `nginx-${attempt}.conf`);
      writeNewFile(
        conf,
        renderNginxConf({
          prefix,
          listenPort: port,
          appPort: ports.app,
          workerProcesses: proxy.workerProcesses,
          keepalive: proxy.keepalive,
          upstream: proxy.upstream,
        }),
      );
      const nginx = await launch.start({
        name: "nginx",
        command: ctx.binaries.nginx!,
        args: ["-p", `${prefix}/`, "-c", conf, ...(ctx.nginxSupportsErrorFlag ? ["-e", "stderr"] : [])],
        env: { PATH: "/usr/bin:/bin", ...launch.markerEnv },
        cwd: prefix,
        user: ctx.user,
        stopSignal: "SIGQUIT", // graceful shutdown
        ports: [port],
      });
      let last: ProbeAnswer | undefined;
      const url = `http://127.0.0.1:${port}${spec.app.ready.http}`;
      try {
        await waitReady(
          nginx,
          async () => {
            last = await httpProbe(url);
            return last;
          },
          NGINX_READY_SECONDS,
          "ready (HTTP 2xx through nginx)",
          ctx.signal,
        );
      } catch (err) {
        // nginx answers, but passes on the app's error (5xx other than its own 502 and 504): with
        // upstream uwsgi the app was only checked for an open port, so a server whose app failed
        // to load shows here. The app is the one to name, with its log.
        const app = launch.components.find((c) => c.name === "app");
        if (nginx.running && app?.running && last && !last.ok && last.status && ![502, 504].includes(last.status)) {
          throw app.failure(
            notReadyText(
              app.pid,
              NGINX_READY_SECONDS,
              `ready behind nginx (HTTP 2xx on ${spec.app.ready.http} through nginx)`,
              last,
            ),
          );
        }
        throw err;
      }
    });
  },
};
