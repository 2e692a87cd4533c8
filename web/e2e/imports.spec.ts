// Flow: imports. The template; a drag-and-drop upload with its progress bar, then live
// progress until it ends, the rejected rows as a table and errors.csv; a dry run; the list.
import { expect, test, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { expectAccessible, screenshots, signIn, unique } from "./support";

function csv(rows: string[]) {
  return ["site_code,area_code,external_ref,type,status,capacity_litres,latitude,longitude,address,installed_on", ...rows].join("\n") + "\n";
}

async function drop(page: Page, name: string, text: string) {
  const transfer = await page.evaluateHandle(
    ([n, t]) => {
      const data = new DataTransfer();
      data.items.add(new File([t], n, { type: "text/csv" }));
      return data;
    },
    [name, text] as const,
  );
  await page.getByTestId("dropzone").dispatchEvent("drop", { dataTransfer: transfer });
}

test("the template downloads", async ({ page }) => {
  await signIn(page, "manager", "/admin/imports");
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Télécharger le modèle" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe("template.csv");
  // French first: the template speaks the office worker's language
  expect(readFileSync(await file.path(), "utf8")).toContain("référence");
});

test("a dropped file is uploaded, followed live to the end, with its rejected rows and errors.csv", async ({ page }) => {
  await signIn(page, "manager", "/admin/imports");
  await expect(page.getByRole("heading", { name: "Imports CSV" })).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, "imports");
  const run = unique();
  const text = csv([
    `lyon,lyon-3e,${run}-1,street_bin,active,2500,45.7601,4.8590,1 rue Garibaldi,2024-03-01`,
    `lyon,,${run}-2,underground,,,45.7612,4.8601,2 rue Garibaldi,`,
    `lyon,lyon-3e,${run}-3,street_bin,full,1000,"45,7623","4,8612",3 rue Garibaldi,`,
    `lyon,lyon-3e,${run}-4,street_bin,active,2500,95.0,4.85,out of range,`,
    `nowhere,,${run}-5,street_bin,active,2500,45.76,4.85,unknown site,`,
  ]);
  await drop(page, `containers-${run}.csv`, text);
  await expect(page).toHaveURL(/\/admin\/imports\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("import-state")).toHaveText("Terminé", { timeout: 30_000 });
  const counts = page.getByTestId("import-counts");
  await expect(counts).toContainText("Créés3");
  await expect(counts).toContainText("Lignes rejetées2");
  const rejected = page.getByTestId("rejected-rows");
  await expect(rejected.locator("tbody tr")).toHaveCount(2);
  await expect(rejected).toContainText("latitude");
  await expect(rejected).toContainText("code du site");
  await expectAccessible(page);
  await screenshots(page, "import-page");

  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Télécharger errors.csv" }).click();
  const errors = readFileSync(await (await download).path(), "utf8");
  // French Excel's CSV: a BOM, French headers, `;`
  expect(errors.split("\n")[0]).toBe("\uFEFFligne;colonne;valeur;raison");
  expect(errors).toContain("95.0");

  await page.getByRole("link", { name: "Imports" }).first().click();
  await expect(page.getByRole("link", { name: `containers-${run}.csv` })).toBeVisible();
  await page.getByRole("link", { name: "Conteneurs" }).first().click();
  await page.getByLabel("Rechercher").fill("1 rue Garibaldi");
  await expect(page.locator("tbody tr")).toHaveCount(1);
});

test("a dry run validates and merges nothing; upload progress is shown", async ({ page }) => {
  await signIn(page, "manager", "/admin/imports");
  await page.getByLabel("Essai à blanc (rien n’est intégré)").check();
  const run = unique();
  // Large enough that the upload takes a few progress events.
  const rows = Array.from({ length: 4000 }, (_, i) => `grenoble,,${run}-${i},street_bin,active,1000,45.18${String(i).padStart(4, "0")},5.72,${i} avenue Alsace-Lorraine,`);
  const progress = page.getByText(/^Envoi : \d+ %$/);
  await page.locator('input[type="file"]').setInputFiles({ name: `dry-${run}.csv`, mimeType: "text/csv", buffer: Buffer.from(csv(rows)) });
  await expect(progress.or(page.getByTestId("import-state"))).toBeVisible();
  await expect(page.getByTestId("import-state")).toHaveText("Terminé", { timeout: 45_000 });
  await expect(page.getByText("Essai à blanc (rien n’est intégré)")).toBeVisible();
  const counts = page.getByTestId("import-counts");
  await expect(counts).toContainText("Valides4000");
  await expect(counts).toContainText("Créés0");
});

test("a large import can be cancelled before merging, and the list shows it", async ({ page }) => {
  await signIn(page, "manager", "/admin/imports");
  const run = unique();
  const rows = Array.from({ length: 60_000 }, (_, i) => `grenoble,,${run}-${i},street_bin,active,1000,45.1${String(i).padStart(5, "0")},5.72,${i} cours Berriat,`);
  await page.locator('input[type="file"]').setInputFiles({ name: `big-${run}.csv`, mimeType: "text/csv", buffer: Buffer.from(csv(rows)) });
  await expect(page).toHaveURL(/\/admin\/imports\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  await page.getByRole("button", { name: "Annuler l’import" }).click();
  await expect(page.getByTestId("import-state")).toHaveText("Annulé", { timeout: 30_000 });
  await expect(page.getByTestId("import-counts")).toContainText("Créés0");
  await expect(page.getByRole("button", { name: "Annuler l’import" })).toBeHidden();
  await page.getByRole("link", { name: "Imports" }).first().click();
  await expect(page.locator("tbody tr", { hasText: `big-${run}.csv` })).toContainText("Annulé");
});
