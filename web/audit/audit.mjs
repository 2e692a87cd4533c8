// Lighthouse's performance audit of the console's dashboard, signed in as the demo
// manager, in Debian's Chromium. Usage: node audit.mjs <base-url> [runs]
// Signing in goes through the console's own route; the refresh cookie it sets is handed
// to Lighthouse as a header for its one page load (each cookie works once: a session per run).
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const base = process.argv[2] ?? "http://127.0.0.1:8080";
const runs = Number(process.argv[3] ?? 3);
const account = { email: "manager@tisseco.test", password: "demo-manager-password" };

async function sessionCookie() {
  const response = await fetch(`${base}/api/v1/auth/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(account),
  });
  if (!response.ok) throw new Error(`sign-in: HTTP ${response.status}`);
  return response.headers.get("set-cookie").split(";")[0];
}

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const results = [];
try {
  for (let i = 0; i < runs; i++) {
    const result = await lighthouse(`${base}/admin/`, {
      port: chrome.port,
      onlyCategories: ["performance"],
      extraHeaders: { Cookie: await sessionCookie() },
      output: "json",
      logLevel: "error",
    });
    const lhr = result.lhr;
    const audit = (id) => lhr.audits[id]?.numericValue ?? NaN;
    results.push({
      score: Math.round(lhr.categories.performance.score * 100),
      fcp_ms: Math.round(audit("first-contentful-paint")),
      lcp_ms: Math.round(audit("largest-contentful-paint")),
      tbt_ms: Math.round(audit("total-blocking-time")),
      cls: Number(audit("cumulative-layout-shift").toFixed(3)),
      final_url: lhr.finalDisplayedUrl,
    });
  }
} finally {
  await chrome.kill();
}
console.log(JSON.stringify(results, null, 1));
const signedOut = results.filter((r) => !r.final_url.endsWith("/admin/"));
if (signedOut.length) throw new Error(`not on the dashboard: ${signedOut.map((r) => r.final_url)}`);
if (results.some((r) => r.score < 90)) process.exit(1);
