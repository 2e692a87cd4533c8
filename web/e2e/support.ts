// Shared steps of the browser tests: signing in, the API as a client, axe, screenshots.
import AxeBuilder from "@axe-core/playwright";
import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const ACCOUNTS = {
  admin: { email: "admin@tisseco.test", password: "demo-admin-password" },
  manager: { email: "manager@tisseco.test", password: "demo-manager-password" },
  driver: { email: "driver@tisseco.test", password: "demo-driver-password" },
} as const;

export const ARTIFACTS = join(import.meta.dirname, "..", "..", "artifacts", "web");
mkdirSync(ARTIFACTS, { recursive: true });

export async function signIn(page: Page, role: keyof typeof ACCOUNTS, path = "/admin/") {
  await page.goto(path);
  await expect(page.getByRole("heading", { name: "Connexion" })).toBeVisible();
  await page.getByLabel("Adresse e-mail").fill(ACCOUNTS[role].email);
  await page.getByLabel("Mot de passe").fill(ACCOUNTS[role].password);
  await page.getByRole("button", { name: "Se connecter" }).click();
}

/** A bearer token for API calls made by the test itself (to prepare or disturb data). */
export async function token(request: APIRequestContext, role: keyof typeof ACCOUNTS = "manager"): Promise<string> {
  const response = await request.post("/api/v1/auth/login", { data: ACCOUNTS[role] });
  expect(response.status()).toBe(200);
  return (await response.json()).access_token;
}

/** No serious or critical accessibility violation on the page as it is now. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`)).toEqual([]);
}

/** Screenshots at phone and desktop widths. */
export async function screenshots(page: Page, name: string) {
  for (const width of [390, 1440]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true, animations: "disabled" });
  }
}

export const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** Runs SQL on the platform's database (server.mjs wrote its URL): for what no API makes. */
export function sql(statement: string) {
  const url = readFileSync(join(import.meta.dirname, "..", "test-results-db.txt"), "utf8").trim();
  execFileSync("psql", [url, "-v", "ON_ERROR_STOP=1", "-qc", statement], { stdio: ["ignore", "ignore", "inherit"] });
}
