// The console's first load: the JavaScript index.html pulls in (entry and preloads),
// gzipped, must stay within 250 KB; the map library is a lazy chunk outside it.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const LIMIT = 250 * 1024;
const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const html = readFileSync(join(dist, "index.html"), "utf8");
const first = new Set([...html.matchAll(/(?:src|href)="\/admin\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]));
const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
let total = 0;
for (const file of readdirSync(join(dist, "assets")).filter((f) => f.endsWith(".js")).sort()) {
  const size = gz(`assets/${file}`);
  const initial = first.has(`assets/${file}`);
  if (initial) total += size;
  console.log(`${initial ? "first load" : "lazy      "}  ${kb(size).padStart(9)} gzip  ${file}`);
}
console.log(`first load JavaScript: ${kb(total)} gzip (limit ${kb(LIMIT)})`);
if (first.size === 0 || total > LIMIT) process.exit(1);
