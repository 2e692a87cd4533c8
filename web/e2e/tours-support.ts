// Test data for the tour flows, made through the API: a fresh site (and area) whose
// containers lie in a small part of Lyon, and tours of the demo driver.
import { devices, expect, type APIRequestContext, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ACCOUNTS, token, unique } from "./support";

/** A phone, 390 px wide. */
export const PHONE = { ...devices["Pixel 7"], viewport: { width: 390, height: 844 }, locale: "fr-FR" };

export const SCREENSHOTS = join(import.meta.dirname, "..", "screenshots");
mkdirSync(SCREENSHOTS, { recursive: true });

export interface Fixture {
  headers: Record<string, string>;
  site: { id: string; code: string; name: string };
  area: { id: string; name: string };
  containers: { id: string; public_code: string; location: { latitude: number; longitude: number } }[];
  driverId: string;
}

export async function fixture(request: APIRequestContext, count: number): Promise<Fixture> {
  const headers = { authorization: `Bearer ${await token(request)}` };
  const code = `t${unique()}`;
  const site = await (await request.post("/api/v1/sites", { headers, data: { code, name: `Site ${code}` } })).json();
  const boundary = { type: "Polygon", coordinates: [[[4.80, 45.70], [4.90, 45.70], [4.90, 45.80], [4.80, 45.80], [4.80, 45.70]]] };
  const areaResponse = await request.post("/api/v1/areas", { headers, data: { site_id: site.id, code: `a${unique()}`, name: `Secteur ${code}`, boundary } });
  expect(areaResponse.status()).toBe(201);
  const area = await areaResponse.json();
  const containers = [];
  for (let i = 0; i < count; i++) {
    // A zig-zag order, so that the optimiser has something to shorten.
    const location = { latitude: 45.71 + 0.004 * (i % 5) + (i % 2) * 0.03, longitude: 4.81 + 0.006 * Math.floor(i / 5) + (i % 3) * 0.02 };
    const response = await request.post("/api/v1/containers", {
      headers,
      data: { site_id: site.id, area_id: area.id, type: "street_bin", location, address: `${i + 1} rue de l’Essai, Lyon` },
    });
    expect(response.status()).toBe(201);
    containers.push(await response.json());
  }
  const drivers = await (await request.get("/api/v1/drivers", { headers })).json();
  const driverId = drivers.find((d: { display_name: string }) => d.display_name === "Demo driver").id;
  return { headers, site, area, containers, driverId };
}

/** A tour of the demo driver today through `f`'s containers, planned unless said otherwise. */
export async function plannedTour(request: APIRequestContext, f: Fixture, vehicle: string, plan = true, date?: string) {
  const today = date ?? new Date().toISOString().slice(0, 10);
  const created = await request.post("/api/v1/tours", {
    headers: f.headers,
    data: { site_id: f.site.id, date: today, driver_id: f.driverId, vehicle, container_ids: f.containers.map((c) => c.id) },
  });
  expect(created.status()).toBe(201);
  const tour = await created.json();
  if (plan) expect((await request.post(`/api/v1/tours/${tour.id}/plan`, { headers: f.headers })).status()).toBe(200);
  return tour;
}

export async function driverSignIn(page: Page) {
  await page.goto("/driver/");
  await expect(page.getByRole("heading", { name: "Connexion" })).toBeVisible();
  await page.getByLabel("Adresse e-mail").fill(ACCOUNTS.driver.email);
  await page.getByLabel("Mot de passe").fill(ACCOUNTS.driver.password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByRole("heading", { name: "Tournées du jour" })).toBeVisible();
}

export async function phoneShot(page: Page, name: string) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-390.png`), fullPage: true, animations: "disabled" });
}
