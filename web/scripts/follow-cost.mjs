// What following the day's tours costs the API, per console, by polling: N requests of
// the list the console polls (GET /api/v1/tours?date=…), their mean time and size, and the
// API process's CPU time for them (read from /proc). Usage:
//   API=http://127.0.0.1:18720 API_PID=<pid> node scripts/follow-cost.mjs [N]
import { readFileSync } from "node:fs";

const api = process.env.API ?? "http://127.0.0.1:8080";
const pid = process.env.API_PID;
const n = Number(process.argv[2] ?? 300);
const ticks = () => {
  if (!pid) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (1/100 s)
};
// Signs in again every 20 s: the e2e server's access tokens live 30 s (not counted).
let token = "";
let signedAt = 0;
async function fresh() {
  if (Date.now() - signedAt < 20_000) return;
  const login = await fetch(`${api}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: process.env.EMAIL ?? "manager@tisseco.test", password: process.env.PASSWORD ?? "demo-manager-password" }),
  });
  token = (await login.json()).access_token;
  signedAt = Date.now();
}
await fresh();
const date = new Date().toISOString().slice(0, 10);
const url = `${api}/api/v1/tours?date=${date}&limit=500`;
const get = () => fetch(url, { headers: { authorization: `Bearer ${token}`, "accept-encoding": "gzip" } });
await (await get()).arrayBuffer(); // warm
let cpu = 0;
let elapsed = 0;
let bytes = 0;
let tours = 0;
for (let i = 0; i < n; i++) {
  await fresh();
  const cpu0 = ticks();
  const t0 = performance.now();
  const body = await (await get()).text();
  elapsed += performance.now() - t0;
  cpu += ticks() - cpu0;
  bytes += body.length;
  const parsed = JSON.parse(body);
  if (!parsed.items) throw new Error(body);
  tours = parsed.items.length;
}
const ms = elapsed / n;
const cpuMs = (cpu * 10) / n;
console.log(JSON.stringify({ requests: n, tours_listed: tours, mean_ms: +ms.toFixed(2), api_cpu_ms_per_request: pid ? +cpuMs.toFixed(2) : null, bytes_per_response: Math.round(bytes / n) }));
