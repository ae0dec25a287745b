import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Binaries } from "./binaries.js";
import { renderNginxConf } from "./configs.js";
import type { LaunchContext, StackPart } from "./launch.js";
import { freePort } from "./ports.js";
import { httpOk } from "./probes.js";
import { waitReady } from "./process-group.js";

export interface NginxContext extends LaunchContext {
  binaries: Binaries;
  nginxSupportsErrorFlag: boolean;
}

/** nginx as the reverse proxy in front of the app; the load goes to it. */
export const nginxPart: StackPart<NginxContext> = {
  name: "nginx",
  wanted: (plan) => plan.spec.proxy !== null,
  async start(plan, ctx, launch) {
    const { spec } = plan;
    const proxy = spec.proxy!;
    const { ports } = launch;
    const prefix = launch.dir("nginx");
    ports.nginx = await freePort();
    const conf = join(prefix, "nginx.conf");
    writeFileSync(
      conf,
      renderNginxConf({
        prefix,
        listenPort: ports.nginx,
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
      ports: [ports.nginx],
    });
    await waitReady(
      nginx,
      () => httpOk(`http://127.0.0.1:${ports.nginx}${spec.app.ready.http}`),
      15,
      "ready (HTTP 2xx through nginx)",
      ctx.signal,
    );
  },
};
