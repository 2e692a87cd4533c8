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
const login = await fetch(`${api}/api/v1/auth/login`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ email: process.env.EMAIL ?? "manager@tisseco.test", password: process.env.PASSWORD ?? "demo-manager-password" }),
});
const { access_token: token } = await login.json();
const date = new Date().toISOString().slice(0, 10);
const url = `${api}/api/v1/tours?date=${date}&limit=500`;
const get = () => fetch(url, { headers: { authorization: `Bearer ${token}`, "accept-encoding": "gzip" } });
await (await get()).arrayBuffer(); // warm
const cpu0 = ticks();
const t0 = performance.now();
let bytes = 0;
let tours = 0;
for (let i = 0; i < n; i++) {
  const body = await (await get()).text();
  bytes += body.length;
  tours = JSON.parse(body).items.length;
}
const ms = (performance.now() - t0) / n;
const cpuMs = ((ticks() - cpu0) * 10) / n;
console.log(JSON.stringify({ requests: n, tours_listed: tours, mean_ms: +ms.toFixed(2), api_cpu_ms_per_request: pid ? +cpuMs.toFixed(2) : null, bytes_per_response: Math.round(bytes / n) }));
