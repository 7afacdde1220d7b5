// deploy/nginx.conf in front of two Caja processes, as compose.yaml runs them: a real nginx (Debian's,
// installed by .ci/run) on real sockets. Debian's nginx (1.22) predates the upstream `resolve`
// parameter, and there is no Docker DNS here, so the instances' names become their addresses; every
// other line of the file is used as it is.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createDb, migrate } from "@caja/db";
import { createFreshPostgres, freePort } from "@caja/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { call } from "./polling-setup";
import { startServerProcess, type ServerProcess } from "./server-process";

const repo = fileURLToPath(new URL("../../..", import.meta.url));
const hasNginx = spawnSync("nginx", ["-v"]).status === 0;

/** The settings compose.yaml gives its instances, less what names compose's own services and secrets. */
function composeInstanceEnv(): Record<string, string> {
  const compose = parse(readFileSync(join(repo, "compose.yaml"), "utf8"), { merge: true }) as {
    services: Record<string, { environment?: Record<string, string> }>;
  };
  const env = compose.services["caja-1"]?.environment ?? {};
  return Object.fromEntries(Object.entries(env).filter(([, value]) => !value.includes("${") && !value.includes("://")));
}

describe.skipIf(!hasNginx)("deploy/nginx.conf in front of two instances", () => {
  let fresh: Awaited<ReturnType<typeof createFreshPostgres>>;
  let instances: ServerProcess[] = [];
  let nginx: ChildProcess | undefined;
  let dir = "";
  let url = "";

  beforeAll(async () => {
    fresh = await createFreshPostgres();
    const db = createDb(fresh.url, { maxConnections: 1 });
    await migrate(db);
    await db.close();
    const env = {
      ...composeInstanceEnv(),
      DATABASE_URL: fresh.url,
      REDIS_URL: "redis://127.0.0.1:6379",
      REDIS_KEY_PREFIX: `caja-proxy-${process.pid}-${Date.now()}:`,
      RATE_LIMIT_JOIN: "3/60s",
    };
    instances = await Promise.all([startServerProcess(env), startServerProcess(env)]);

    dir = mkdtempSync(join(tmpdir(), "caja-nginx-"));
    // nginx's workers run as nobody when it is started as root (CI): they write bodies under here.
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, "logs"));
    const port = await freePort();
    let conf = readFileSync(join(repo, "deploy/nginx.conf"), "utf8");
    instances.forEach((instance, i) => {
      conf = conf.replace(`server caja-${i + 1}:3000 resolve;`, `server 127.0.0.1:${instance.port};`);
    });
    conf = conf
      .replace("listen 80;", `listen 127.0.0.1:${port};`)
      .replace("http {", `http {\n    client_body_temp_path ${dir}/body;\n    proxy_temp_path ${dir}/proxy;`);
    expect(conf).not.toMatch(/caja-\d|resolve;|listen 80;/);
    writeFileSync(join(dir, "nginx.conf"), conf);
    // A file, not a pipe: the conf logs to /dev/stdout, which cannot be opened on a socket (node's pipes).
    const log = openSync(join(dir, "nginx.log"), "a");
    nginx = spawn("nginx", ["-p", `${dir}/`, "-c", join(dir, "nginx.conf"), "-g", `daemon off; pid ${dir}/nginx.pid;`], {
      stdio: ["ignore", log, log],
    });
    closeSync(log);
    const nginxOutput = () => readFileSync(join(dir, "nginx.log"), "utf8");
    url = `http://127.0.0.1:${port}`;
    for (let tries = 0; ; tries++) {
      const ok = await fetch(`${url}/health`).then(
        (res) => res.ok,
        () => false,
      );
      if (ok) break;
      if (nginx.exitCode !== null || tries > 100) throw new Error(`nginx did not answer:\n${nginxOutput()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, 90_000);

  afterAll(async () => {
    nginx?.kill("SIGQUIT");
    await Promise.all(instances.map((instance) => instance.dispose()));
    await fresh?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("counts joins against the caller's address, whatever X-Forwarded-For the caller sends (TRUST_PROXY=1)", async () => {
    const admin = instances[0]?.adminToken() ?? "";
    const session = (await call(url, "POST", "/api/v1/sessions", admin, { title: "Behind nginx" })).body as { join_code: string };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const joined = await call(
        url,
        "POST",
        "/api/v1/sessions/join",
        undefined,
        { join_code: session.join_code, nickname: `p${i}` },
        { "x-forwarded-for": `203.0.113.${i}` },
      );
      statuses.push(joined.status);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
  });

  it("lets a body over MAX_BODY_BYTES through to Caja, whose 413 is the API's; a huge one gets nginx's, in the same format", async () => {
    const admin = instances[0]?.adminToken() ?? "";
    const over = await call(url, "POST", "/api/v1/sessions", admin, { title: "x".repeat(100 * 1024) });
    expect(over.status).toBe(413);
    expect(over.body).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
    const huge = await call(url, "POST", "/api/v1/sessions", admin, { title: "x".repeat(1024 * 1024) });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE", details: {} } });
  });

  it("keeps answering from the other instance when one stops, then answers 503 in the API's format", async () => {
    const [first, second] = instances;
    expect((await first?.terminate())?.code).toBe(0);
    for (let i = 0; i < 6; i++) expect((await fetch(`${url}/ready`)).status).toBe(200);
    expect((await second?.terminate())?.code).toBe(0);
    const res = await fetch(`${url}/api/v1/activity-types`);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(await res.json()).toEqual({ error: { code: "SERVICE_UNAVAILABLE", message: expect.any(String), details: {} } });
  });
});
