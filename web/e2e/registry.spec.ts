// Flow: the registry. Tables with server-side keyset paging, filters and search; a
// container's page; create with the map picker and a 422 next to its field; edit with
// an If-Match conflict shown; archive with confirmation.
import { expect, test } from "@playwright/test";
import { expectAccessible, screenshots, signIn, token, unique } from "./support";

test("containers: keyset pages, filters and search", async ({ page }) => {
  await signIn(page, "manager", "/admin/containers");
  const rows = page.locator("tbody tr");
  await expect(rows).toHaveCount(25);
  const first = await rows.first().locator("td").first().innerText();
  await page.getByRole("button", { name: "Suivant" }).click();
  await expect(page.getByText("Page 2")).toBeVisible();
  await expect(rows.first().locator("td").first()).not.toHaveText(first);
  await page.getByRole("button", { name: "Précédent" }).click();
  await expect(rows.first().locator("td").first()).toHaveText(first);

  await page.getByLabel("Site").selectOption({ label: "Grenoble-Alpes" });
  await expect(page.getByText("Page 1")).toBeVisible();
  await expect(rows.first().locator("td").nth(4)).toHaveText("Grenoble-Alpes");
  await page.getByLabel("État").selectOption({ label: "En service" });
  await expect(rows.first()).toContainText("En service");

  await page.getByLabel("Site").selectOption({ label: "Tous" });
  await page.getByLabel("État").selectOption({ label: "Tous" });
  await page.getByLabel("Rechercher").fill(first);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(first);
  await expectAccessible(page);
  await page.getByLabel("Rechercher").fill("");
  await expect(rows).toHaveCount(25);
  await screenshots(page, "containers");
});

test("sites and areas are listed, and a site's 422 shows next to its field", async ({ page }) => {
  await signIn(page, "manager", "/admin/sites");
  await expect(page.getByRole("cell", { name: "Lyon Métropole" })).toBeVisible();
  await page.getByLabel("Code").fill("Not A Code!");
  await page.getByLabel("Nom").fill("Test");
  await page.getByRole("button", { name: "Ajouter" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "Secteurs" }).first().click();
  await expect(page.getByRole("cell", { name: "Île Verte" })).toBeVisible();
  await screenshots(page, "areas");
});

test("create a container with the map picker; a 422 is shown next to its field; its page has everything", async ({ page }) => {
  await signIn(page, "manager", "/admin/containers/new");
  await expect(page.getByRole("heading", { name: "Nouveau conteneur" })).toBeVisible();
  await page.getByLabel("Site").selectOption({ label: "Lyon Métropole" });
  const address = `${unique()} rue de la Paix`;
  await page.getByLabel("Adresse").fill(address);
  await page.getByLabel("Capacité (litres)").fill("0");
  // The picker: a click on the map moves the marker and fills both fields.
  const picker = page.getByTestId("map-picker");
  await expect(picker.locator("canvas")).toBeVisible();
  const before = await page.getByLabel("Latitude").inputValue();
  await picker.click({ position: { x: 40, y: 40 } });
  await expect(page.getByLabel("Latitude")).not.toHaveValue(before);
  await page.getByRole("button", { name: "Enregistrer" }).click();
  const capacity = page.getByLabel("Capacité (litres)");
  await expect(capacity).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#e-capacity_litres")).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, "container-form");

  await capacity.fill("2500");
  await page.getByRole("button", { name: "Enregistrer" }).click();
  await expect(page.getByRole("heading", { name: /^Conteneur / })).toBeVisible();
  await expect(page.getByText(address)).toBeVisible();
  await expect(page.getByRole("img", { name: /Code QR du conteneur/ })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Historique" })).toBeVisible();
  await expect(page.getByText(/— create/)).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, "container-page");
});

test("an edit after someone else's change shows the conflict; archive asks first", async ({ page, request }) => {
  const bearer = await token(request);
  const headers = { authorization: `Bearer ${bearer}` };
  const sites = await (await request.get("/api/v1/sites", { headers })).json();
  const created = await request.post("/api/v1/containers", {
    headers,
    data: { site_id: sites.items[0].id, type: "street_bin", location: { latitude: 45.76, longitude: 4.84 }, address: "1 place Bellecour" },
  });
  expect(created.status()).toBe(201);
  const container = await created.json();

  await signIn(page, "manager", `/admin/containers/${container.id}/edit`);
  await expect(page.getByRole("heading", { name: `Modifier le conteneur ${container.public_code}` })).toBeVisible();
  // Someone else changes it meanwhile.
  const other = await request.patch(`/api/v1/containers/${container.id}`, {
    headers: { ...headers, "if-match": `"${container.version}"` },
    data: { address: "2 place Bellecour" },
  });
  expect(other.status()).toBe(200);
  await page.getByLabel("Adresse").fill("3 place Bellecour");
  await page.getByRole("button", { name: "Enregistrer" }).click();
  await expect(page.getByRole("alert")).toContainText("Quelqu’un a modifié cet élément");
  await page.getByRole("button", { name: "Recharger" }).click();
  await expect(page.getByLabel("Adresse")).toHaveValue("2 place Bellecour");
  await page.getByLabel("Adresse").fill("3 place Bellecour");
  await page.getByRole("button", { name: "Enregistrer" }).click();
  await expect(page.getByText("3 place Bellecour")).toBeVisible();

  await page.getByRole("button", { name: "Archiver" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText(`Archiver le conteneur ${container.public_code} ?`);
  await dialog.getByRole("button", { name: "Annuler" }).click();
  await expect(dialog).toBeHidden();
  await page.getByRole("button", { name: "Archiver" }).click();
  await dialog.getByRole("button", { name: "Archiver" }).click();
  await expect(page).toHaveURL(/\/admin\/containers$/);
  const after = await (await request.get(`/api/v1/containers/${container.id}`, { headers })).json();
  expect(after.archived_at).toBeTruthy();
});

test("a network failure or a 5xx shows a retry, never a blank page", async ({ page }) => {
  await signIn(page, "manager", "/admin/");
  await expect(page.getByRole("heading", { name: "Tableau de bord" })).toBeVisible();
  await page.route("**/api/v1/sites?*", (route) => route.abort("connectionrefused"));
  await page.getByRole("link", { name: "Sites" }).first().click();
  const alert = page.getByRole("alert").filter({ hasText: "Le serveur ne répond pas" });
  await expect(alert).toBeVisible();
  await page.unroute("**/api/v1/sites?*");
  await page.route("**/api/v1/sites?*", (route) => route.fulfill({ status: 503, contentType: "application/problem+json", body: JSON.stringify({ type: "about:blank", title: "Unavailable", status: 503, detail: "down" }) }));
  await alert.getByRole("button", { name: "Réessayer" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Une erreur est survenue de notre côté" })).toBeVisible();
  await page.unroute("**/api/v1/sites?*");
  await page.getByRole("button", { name: "Réessayer" }).click();
  await expect(page.getByRole("cell", { name: "Lyon Métropole" })).toBeVisible();
});
