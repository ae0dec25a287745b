import { type AppEnvContext, appEnvironment } from "./app-env.js";
import { fillPlaceholders } from "./configs.js";
import { type LaunchContext, type StackPart, startOnFreePort } from "./launch.js";
import { httpProbe, tcpProbe } from "./probes.js";
import { waitReady } from "./process-group.js";

export interface AppContext extends LaunchContext, AppEnvContext {}

/** The app under test: the stack file's command with its placeholders filled, ready when it answers. */
export const appPart: StackPart<AppContext> = {
  name: "app",
  wanted: () => true,
  async start(plan, ctx, launch, wiring) {
    const { spec } = plan;
    const { ports } = launch;
    await startOnFreePort(launch, "app", async (port) => {
      ports.app = port;
      const values = {
        port,
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
        ports: [port],
      });
      const uwsgi = spec.proxy?.upstream === "uwsgi";
      await waitReady(
        app,
        () => (uwsgi ? tcpProbe(port) : httpProbe(`http://127.0.0.1:${port}${spec.app.ready.http}`)),
        spec.app.ready.timeoutSeconds,
        `ready (HTTP 2xx on ${uwsgi ? "its port" : spec.app.ready.http})`,
        ctx.signal,
      );
    });
  },
};
