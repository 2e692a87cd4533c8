// Planning and following tours in the console: plan → optimise → reorder → plan, and the
// driver's phone shows it; the printed sheet is one A4 page per 25 stops.
import { expect, test } from "@playwright/test";
import { expectAccessible, screenshots, signIn } from "./support";
import { PHONE, driverSignIn, fixture, phoneShot, plannedTour } from "./tours-support";

test("a tour is planned on the map, optimised, reordered by drag and drop, planned; the driver sees it", async ({ page, request, browser }) => {
  test.setTimeout(120_000);
  const f = await fixture(request, 8);
  const vehicle = `VAN-${f.site.code}`;

  await signIn(page, "manager", "/admin/tours/new");
  await expect(page.getByRole("heading", { name: "Nouvelle tournée" })).toBeVisible();
  await page.getByLabel("Site").selectOption({ label: f.site.name });
  await page.getByLabel("Chauffeur").selectOption({ label: "Demo driver" });
  await page.getByLabel("Véhicule").fill(vehicle);
  await page.getByLabel("Tous les conteneurs du secteur").selectOption({ label: f.area.name });
  await page.getByRole("button", { name: "Créer le brouillon" }).click();

  const stops = page.getByTestId("tour-stop");
  await expect(stops).toHaveCount(8);
  await expect(page.getByTestId("tour-state")).toHaveText("Brouillon");
  await expect(page.getByTestId("tour-map")).toHaveAttribute("data-count", "8");
  const tourId = page.url().split("/").pop()!;
  const before = Number((await page.getByTestId("route-length").textContent())!.replace(/[^\d.]/g, ""));

  await page.getByRole("button", { name: "Optimiser l’ordre" }).click();
  const suggestion = page.getByTestId("suggestion");
  await expect(suggestion).toContainText("km →");
  await expectAccessible(page);
  await screenshots(page, "tour-editor");
  await suggestion.getByRole("button", { name: "Accepter" }).click();
  await expect(suggestion).toBeHidden();
  await expect.poll(async () => Number((await page.getByTestId("route-length").textContent())!.replace(/[^\d.]/g, ""))).toBeLessThan(before);

  // Drag the first stop onto the third: the order changes on the server too.
  const codes = await stops.evaluateAll((items) => items.map((i) => i.getAttribute("data-code")));
  await stops.nth(0).dragTo(stops.nth(2));
  await expect.poll(() => stops.evaluateAll((items) => items.map((i) => i.getAttribute("data-code")))).toEqual([codes[1], codes[2], codes[0], ...codes.slice(3)]);
  const saved = await (await request.get(`/api/v1/tours/${tourId}`, { headers: f.headers })).json();
  expect(saved.stops.map((s: { public_code: string }) => s.public_code)).toEqual([codes[1], codes[2], codes[0], ...codes.slice(3)]);
  // The keyboard way: the arrows.
  await page.getByRole("button", { name: `Descendre ${codes[1]}` }).click();
  await expect(stops.first()).toHaveAttribute("data-code", codes[2]!);

  await page.getByRole("button", { name: "Planifier" }).click();
  await expect(page.getByTestId("tour-state")).toHaveText("Planifiée");
  const order = await stops.evaluateAll((items) => items.map((i) => i.getAttribute("data-code")));

  // The follow-up list shows it.
  await page.goto("/admin/tours");
  await expect(page.getByTestId("tour-row").filter({ hasText: vehicle })).toContainText("Planifiée");
  await expectAccessible(page);
  await screenshots(page, "tours");

  // The driver's phone: the tour, its stops in that order.
  const phone = await browser.newContext({ ...PHONE, baseURL: test.info().project.use.baseURL });
  const driver = await phone.newPage();
  await driverSignIn(driver);
  await driver.getByRole("link", { name: new RegExp(vehicle) }).click();
  await expect(driver.getByTestId("stop")).toHaveCount(8);
  const shown = await driver.getByTestId("stop").evaluateAll((items) => items.map((i) => /\d+\. (\w+)/.exec(i.textContent ?? "")?.[1]));
  expect(shown).toEqual(order);
  await phone.close();
});

test("the tour sheet prints one A4 page per 25 stops", async ({ page, request }) => {
  test.setTimeout(120_000);
  const f = await fixture(request, 30);
  const tour = await plannedTour(request, f, `SHEET-${f.site.code}`, false);
  await signIn(page, "manager", `/admin/tours/${tour.id}/sheet`);
  await expect(page.getByTestId("sheet-page")).toHaveCount(2);
  await expect(page.getByTestId("sheet-page").first().locator("tbody tr")).toHaveCount(25);
  await page.emulateMedia({ media: "print" });
  const pdf = await page.pdf({ format: "A4", preferCSSPageSize: true });
  const pages = pdf.toString("latin1").match(/\/Type\s*\/Page(?!s)/g) ?? [];
  expect(pages.length).toBe(2);
  await phoneShot(page, "tour-sheet");
});

test("following: a planned tour not started by its start time stands out as late", async ({ page, request }) => {
  const f = await fixture(request, 2);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const vehicle = `LATE-${f.site.code}`;
  await plannedTour(request, f, vehicle, true, yesterday);
  await signIn(page, "manager", "/admin/tours");
  await page.getByLabel("Date").fill(yesterday);
  const row = page.getByTestId("tour-row").filter({ hasText: vehicle });
  await expect(row).toHaveAttribute("data-late", "true");
  await expect(row).toContainText("En retard");
});
