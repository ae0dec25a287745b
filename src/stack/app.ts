import { type AppEnvContext, appEnvironment } from "./app-env.js";
import { fillPlaceholders } from "./configs.js";
import type { LaunchContext, StackPart } from "./launch.js";
import { freePort } from "./ports.js";
import { httpOk, tcpOpen } from "./probes.js";
import { waitReady } from "./process-group.js";

export interface AppContext extends LaunchContext, AppEnvContext {}

/** The app under test: the stack file's command with its placeholders filled, ready when it answers. */
export const appPart: StackPart<AppContext> = {
  name: "app",
  wanted: () => true,
  async start(plan, ctx, launch, wiring) {
    const { spec } = plan;
    const { ports } = launch;
    ports.app = await freePort();
    const values = {
      port: ports.app,
      workers: plan.workers,
      database_url: wiring.databaseUrl,
      stack_dir: spec.dir,
      run_dir: launch.runDir,
    };
    const env = { ...appEnvironment(ctx, spec.app.env, values), ...launch.markerEnv };
    const command = fillPlaceholders(spec.app.command, values);
    ctx.log(`app: ${command}`);
    const app = await launch.start({
      name: "app",
      command: "/bin/sh",
      args: ["-c", command],
      env,
      cwd: spec.app.cwd,
      ports: [ports.app],
    });
    const uwsgi = spec.proxy?.upstream === "uwsgi";
    await waitReady(
      app,
      () => (uwsgi ? tcpOpen(ports.app) : httpOk(`http://127.0.0.1:${ports.app}${spec.app.ready.http}`)),
      spec.app.ready.timeoutSeconds,
      `ready (HTTP 2xx on ${uwsgi ? "its port" : spec.app.ready.http})`,
      ctx.signal,
    );
  },
};
