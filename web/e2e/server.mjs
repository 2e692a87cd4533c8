// The browser tests' platform: a fresh database, then the real tisseco-api (serving
// web/dist at /admin/) and tisseco-worker, with demo data and accounts. Started by
// Playwright's webServer, which waits for /health/ready and stops it at the end.
import { execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const root = join(web, "..");
const bin = join(process.env.CARGO_TARGET_DIR ?? join(root, "target"), "debug");
const port = process.env.WEB_E2E_PORT ?? "18480";
const healthPort = process.env.WEB_E2E_WORKER_PORT ?? String(Number(port) + 1);
const base = new URL(process.env.TEST_DATABASE_URL ?? "postgres://postgres:postgres@127.0.0.1:5432/tisseco_test");
const dbName = process.env.WEB_E2E_DATABASE ?? "tisseco_web_e2e";
const adminUrl = Object.assign(new URL(base), { pathname: "/postgres" }).toString();
const databaseUrl = Object.assign(new URL(base), { pathname: `/${dbName}` }).toString();
const prefix = `tisseco-web-e2e-${process.pid}`;

const psql = (sql) => execFileSync("psql", [adminUrl, "-v", "ON_ERROR_STOP=1", "-qc", sql], { stdio: ["ignore", "ignore", "inherit"] });
psql(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
psql(`CREATE DATABASE ${dbName}`);

const key = execFileSync(join(bin, "tisseco-api"), ["generate-key"], { encoding: "utf8" }).match(/^AUTH_PRIVATE_KEY=(\S+)/m)?.[1];
const env = {
  ...process.env,
  DATABASE_URL: databaseUrl,
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  AUTH_PRIVATE_KEY: key,
  HTTP_BIND: `127.0.0.1:${port}`,
  WORKER_HEALTH_BIND: `127.0.0.1:${healthPort}`,
  PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
  CONSOLE_DIR: join(web, "dist"),
  REDIS_KEY_PREFIX: `${prefix}:`,
  QUEUE_PREFIX: prefix,
  // Many sign-ins and page loads from one address in a few minutes.
  RATE_LIMIT_LOGIN: "100000/60",
  RATE_LIMIT_PUBLIC: "100000/60",
  RATE_LIMIT_API: "100000/60",
  // Short-lived access tokens: the silent refresh runs during the tests.
  AUTH_ACCESS_TTL_SECS: "30",
  // No fixed metrics port: two platforms (another worktree, a Lighthouse run) may run at once.
  METRICS_BIND: process.env.METRICS_BIND ?? "off",
  HTTP_WORKERS: "2",
  WORKER_CONCURRENCY: "4",
  // Smaller batches: a large import stays cancellable long enough for the cancel test.
  IMPORT_BATCH: "2000",
  LOG_FORMAT: "json",
  RUST_LOG: process.env.RUST_LOG ?? "warn",
};
const run = (args) => execFileSync(join(bin, "tisseco-api"), args, { env, stdio: ["ignore", "ignore", "inherit"] });
run(["migrate"]);
run(["seed"]);
run(["seed-demo-users"]);
writeFileSync(join(web, "test-results-db.txt"), databaseUrl);

const children = [spawn(join(bin, "tisseco-worker"), [], { env, stdio: "inherit" }), spawn(join(bin, "tisseco-api"), ["serve"], { env, stdio: "inherit" })];
let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill("SIGTERM");
  setTimeout(() => process.exit(code), 3000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once("exit", r))))).then(() => process.exit(code));
}
for (const child of children) child.once("exit", (code) => !stopping && (console.error(`e2e server: a process stopped (${code})`), stop(1)));
process.on("SIGTERM", () => stop(0));
process.on("SIGINT", () => stop(0));
