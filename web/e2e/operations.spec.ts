// Flows: the dashboard, the map, public-report moderation, QR label sheets, and the
// admins' users and queues pages.
import { expect, test } from "@playwright/test";
import { expectAccessible, screenshots, signIn, sql, token, unique } from "./support";

test("dashboard: containers by status, open reports, tours, imports, queues; tiles link to their lists", async ({ page }) => {
  await signIn(page, "admin");
  await expect(page.getByRole("heading", { name: "Tableau de bord" })).toBeVisible();
  const containers = page.getByTestId("tile-containers");
  await expect(containers).toContainText("En service");
  await expect(containers.locator("li").first()).toHaveText(/En service\s*\d+/);
  await expect(page.getByTestId("tile-reports")).toContainText("Nouveau");
  await expect(page.getByRole("link", { name: /Santé des files/ })).toContainText("en attente");
  await expect(page.getByRole("link", { name: /Tournées du jour/ })).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, "dashboard");
  await page.getByRole("link", { name: /Conteneurs par état/ }).click();
  await expect(page).toHaveURL(/\/admin\/containers$/);
});

test("map: containers drawn from the API's vector tiles, filters, search and click open a card linking to the container", async ({ page, request }) => {
  const headers = { authorization: `Bearer ${await token(request)}` };
  const some = (await (await request.get("/api/v1/containers?limit=1", { headers })).json()).items[0];
  const tile = page.waitForResponse((r) => r.url().includes("/api/v1/tiles/containers/") && r.status() === 200);
  await signIn(page, "manager", "/admin/map");
  expect((await tile).headers()["content-type"]).toBe("application/vnd.mapbox-vector-tile");
  const canvas = page.getByTestId("map").locator("canvas");
  await expect(canvas).toBeVisible();
  await expect(canvas).toHaveAttribute("data-count", /^[1-9]\d*$/);
  const all = Number(await canvas.getAttribute("data-count"));
  await page.getByLabel("État").selectOption({ label: "Retiré" });
  await expect(canvas).not.toHaveAttribute("data-count", String(all));
  await page.getByLabel("État").selectOption({ label: "Tous" });
  await page.getByLabel("Rechercher").fill(some.public_code);
  await page.getByLabel("Rechercher").press("Enter");
  const card = page.getByTestId("map-card");
  await expect(card).toContainText(some.public_code);
  // The map flew to it: once still, a click on the point in the middle opens its card from the tile.
  await expect(canvas).toHaveAttribute("data-idle", "true");
  await card.getByRole("button", { name: "Fermer" }).click();
  await expect(card).toBeHidden();
  const box = (await page.getByTestId("map").boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await expect(card).toContainText(some.public_code);
  await expectAccessible(page);
  await screenshots(page, "map");
  await card.getByRole("link", { name: "Ouvrir la fiche" }).click();
  await expect(page.getByRole("heading", { name: `Conteneur ${some.public_code}` })).toBeVisible();
});

test("reports: the moderation queue with filters, a report's page, every action and its history", async ({ page, request }) => {
  const headers = { authorization: `Bearer ${await token(request)}` };
  const container = (await (await request.get("/api/v1/containers?limit=1&status=active", { headers })).json()).items[0];
  const text = `Couvercle cassé ${unique()}`;
  const posted = await request.post(`/c/${container.public_code}`, {
    form: { category: "damaged", description: text, email: "", website: "" },
    maxRedirects: 0,
  });
  expect(posted.status()).toBeLessThan(400);

  await signIn(page, "admin", "/admin/reports");
  await page.getByLabel("Catégorie").selectOption({ label: "Endommagé" });
  await page.getByLabel("État").selectOption({ label: "Nouveau" });
  const row = page.locator("tbody tr", { hasText: container.public_code }).first();
  await expect(row).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, "reports");
  await row.getByRole("link").click();
  await expect(page.getByText(text)).toBeVisible();
  const status = page.getByTestId("report-status");
  await expect(status).toHaveText("Nouveau");
  await page.getByRole("button", { name: "Prendre en compte" }).click();
  await expect(status).toHaveText("Pris en compte");
  await page.getByRole("button", { name: "Démarrer" }).click();
  await expect(status).toHaveText("En cours");
  await page.getByLabel("Commentaire ou motif").fill("Équipe prévenue");
  await page.getByRole("button", { name: "Commenter" }).click();
  await expect(page.getByTestId("report-history")).toContainText("Équipe prévenue");
  await page.getByLabel("Assigné à").selectOption({ label: "Demo driver" });
  await page.getByRole("button", { name: "Assigner" }).click();
  await expect(page.getByLabel("Assigné à")).toHaveValue(/[0-9a-f-]{36}/);
  await page.getByLabel("Commentaire ou motif").fill("Couvercle remplacé");
  await page.getByRole("button", { name: "Résoudre" }).click();
  await expect(status).toHaveText("Résolu");
  await expect(page.getByRole("button", { name: "Résoudre" })).toBeHidden();
  await expect(page.getByTestId("report-history").locator("li")).toHaveCount(6);
  await expectAccessible(page);
  await screenshots(page, "report-page");
});

test("QR labels: an area's sheet, its link for whoever prints, and a selection of codes open the printable sheet", async ({ page, context, request, browser }) => {
  const headers = { authorization: `Bearer ${await token(request)}` };
  const codes = (await (await request.get("/api/v1/containers?limit=2", { headers })).json()).items.map((c: { public_code: string }) => c.public_code);
  await signIn(page, "manager", "/admin/labels");
  await page.getByLabel("Site").selectOption({ label: "Grenoble-Alpes" });
  await page.getByLabel("Secteur").selectOption({ label: "Saint-Bruno" });
  await expectAccessible(page);
  await screenshots(page, "labels");
  let sheet = context.waitForEvent("page");
  await page.getByRole("button", { name: "Ouvrir la planche" }).click();
  let tab = await sheet;
  await expect(tab.locator("svg").first()).toBeVisible();
  await tab.close();

  // A link for whoever prints: it opens the same sheet in a browser that never signed in.
  await page.getByRole("button", { name: "Copier un lien à envoyer (7 jours)" }).click();
  const shared = page.getByLabel(/Lien à envoyer/);
  await expect(shared).toHaveValue(/\/api\/v1\/labels\?area_id=.*&link=/);
  const stranger = await browser.newContext();
  const printed = await stranger.newPage();
  const opened = await printed.goto(await shared.inputValue());
  expect(opened?.status()).toBe(200);
  await expect(printed.locator("svg").first()).toBeVisible();
  await stranger.close();

  await page.getByLabel(/Codes de conteneurs/).fill(codes.join(", "));
  sheet = context.waitForEvent("page");
  await page.getByRole("button", { name: "Ouvrir la planche" }).click();
  tab = await sheet;
  for (const code of codes) await expect(tab.getByText(code, { exact: true }).first()).toBeVisible();
  await tab.close();

  await page.getByLabel(/Codes de conteneurs/).fill("ZZZZZZZ");
  await page.getByRole("button", { name: "Ouvrir la planche" }).click();
  await expect(page.getByRole("alert")).toHaveText("Code inconnu : ZZZZZZZ");
});

test("users (admins): create with a field error first, change a role, deactivate", async ({ page }) => {
  await signIn(page, "admin", "/admin/users");
  const name = `Chauffeur ${unique()}`;
  const email = `${unique()}@tisseco.test`;
  await page.getByLabel("Nom", { exact: true }).fill(name);
  await page.getByLabel("E-mail", { exact: true }).fill(email);
  await page.getByLabel("Mot de passe provisoire").fill("short");
  await page.getByRole("button", { name: "Créer" }).click();
  await expect(page.getByRole("alert").first()).toBeVisible();
  await page.getByLabel("Mot de passe provisoire").fill("a long enough password");
  await page.getByRole("button", { name: "Créer" }).click();
  const row = page.locator("tbody tr", { hasText: email });
  await expect(row).toBeVisible();
  await row.getByLabel(`Rôle de ${name}`).selectOption("manager");
  await expect(row.getByLabel(`Rôle de ${name}`)).toHaveValue("manager");
  await page.reload();
  await expect(page.locator("tbody tr", { hasText: email }).getByLabel(`Rôle de ${name}`)).toHaveValue("manager");
  await page.locator("tbody tr", { hasText: email }).getByRole("button", { name: "Désactiver" }).click();
  await expect(page.locator("tbody tr", { hasText: email })).toContainText("Désactivé");
  await expectAccessible(page);
  await screenshots(page, "users");
});

test("queues (admins): depths of every queue; a dead job retried through the worker, then discarded after a confirmation", async ({ page, request }) => {
  // An event this worker cannot read (as an older or newer platform could write): the real
  // relay and worker fail it for good, so it lands among the dead jobs.
  const origin = `e2e-dead-${unique()}`;
  sql(`INSERT INTO outbox (event_type, aggregate_type, aggregate_id, payload, correlation_id)
       VALUES ('report.created', 'report', gen_random_uuid(), '{"unreadable": true}', '${origin}')`);
  const headers = { authorization: `Bearer ${await token(request, "admin")}` };
  const deadIds = async () => {
    const items: { dead_id: string; correlation_id?: string }[] = (await (await request.get("/api/v1/admin/queues/events/dead?limit=100", { headers })).json()).items;
    return items.filter((j) => j.correlation_id === origin).map((j) => j.dead_id);
  };
  await expect.poll(deadIds, { timeout: 15_000 }).toHaveLength(1);
  const [first] = await deadIds();

  await signIn(page, "admin", "/admin/queues");
  await expect(page.getByRole("cell", { name: "events", exact: true })).toBeVisible();
  await expect(page.getByRole("cell", { name: "mail", exact: true })).toBeVisible();
  const job = page.getByRole("listitem").filter({ hasText: origin });
  await expect(job).toContainText("report.created");
  await expect(job).toContainText("Tentatives : 1");
  await expect(job).toContainText(/malformed report\.created event/);
  await expectAccessible(page);
  await screenshots(page, "queues");

  // Retry: the job goes back to its queue, the worker runs it again and it fails again.
  await job.getByRole("button", { name: "Relancer" }).click();
  await expect.poll(deadIds, { timeout: 15_000 }).toEqual([expect.not.stringMatching(`^${first}$`)]);
  await expect(job).toBeVisible({ timeout: 15_000 });

  // Discard asks first; cancelling keeps it, confirming removes it for good.
  await job.getByRole("button", { name: "Supprimer" }).click();
  const dialog = page.getByRole("dialog", { name: /Supprimer définitivement la tâche report\.created/ });
  await expect(dialog).toBeVisible();
  await expectAccessible(page);
  await dialog.getByRole("button", { name: "Annuler" }).click();
  await expect(dialog).toBeHidden();
  expect(await deadIds()).toHaveLength(1);
  await job.getByRole("button", { name: "Supprimer" }).click();
  await dialog.getByRole("button", { name: "Supprimer" }).click();
  await expect(job).toBeHidden();
  expect(await deadIds()).toEqual([]);
});
