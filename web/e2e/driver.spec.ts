// The driver's phone: offline first (three visits and a skip made offline, a reload with
// no network, then everything sent once on return, the access token having expired
// meanwhile), accessibility, and the label scanner fed by Chromium's fake camera.
import { chromium, expect, test, type Page } from "@playwright/test";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectAccessible, signIn, token } from "./support";
import { PHONE, driverSignIn, fixture, phoneShot, plannedTour } from "./tours-support";

test.use({ ...PHONE });

async function visit(page: Page, code: string, fill: number, kg: string) {
  await page.getByRole("link", { name: new RegExp(`\\. ${code} `) }).click();
  await page.getByRole("slider").fill(String(fill));
  await page.getByLabel("Poids collecté (kg)").fill(kg);
  await page.getByRole("button", { name: "Enregistrer le passage" }).click();
  await expect(page.getByTestId("stops")).toBeVisible();
}

test("offline: three visits and a skip are queued, survive a reload without network, and reach the server once each", async ({ page, context, request }) => {
  test.setTimeout(150_000);
  const f = await fixture(request, 5);
  const vehicle = `OFF-${f.site.code}`;
  const tour = await plannedTour(request, f, vehicle);
  const codes = tour.stops.map((s: { public_code: string }) => s.public_code);

  await driverSignIn(page);
  // The service worker has the app before the network goes.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await expectAccessible(page);
  await phoneShot(page, "driver-tours");
  await page.getByRole("link", { name: new RegExp(vehicle) }).click();
  const started = page.waitForResponse((r) => r.url().endsWith("/start") && r.ok());
  await page.getByRole("button", { name: "Démarrer la tournée" }).click();
  await started;
  await expect(page.getByTestId("tour-state")).toHaveText("En cours");
  await expect(page.getByTestId("waiting")).toBeHidden();
  await expectAccessible(page);
  await phoneShot(page, "driver-tour");

  await context.setOffline(true);
  await expect(page.getByTestId("network")).toHaveText("Hors ligne");
  await visit(page, codes[0], 80, "42.5");
  await visit(page, codes[1], 30, "12");
  await page.getByRole("link", { name: new RegExp(`\\. ${codes[2]} `) }).click();
  await page.getByRole("tab", { name: "Sauter" }).click();
  await page.getByLabel("Motif").selectOption({ label: "Bloqué (stationnement…)" });
  await page.getByLabel("Remarque").fill("Camion de livraison devant");
  await expectAccessible(page);
  await phoneShot(page, "driver-skip");
  await page.getByRole("button", { name: "Enregistrer l’arrêt sauté" }).click();
  await page.getByRole("link", { name: new RegExp(`\\. ${codes[3]} `) }).click();
  await expectAccessible(page);
  await phoneShot(page, "driver-visit");
  await page.getByRole("button", { name: "Enregistrer le passage" }).click();
  await expect(page.getByTestId("waiting")).toHaveText("4 en attente d’envoi");
  await expect(page.getByTestId("queue").locator("li[data-state=waiting]")).toHaveCount(4);
  await phoneShot(page, "driver-offline-queue");

  // A reload with no network: the app opens from the service worker's cache, the tour
  // and the queue from IndexedDB.
  await page.reload();
  await expect(page.getByTestId("network")).toHaveText("Hors ligne");
  await expect(page.getByTestId("waiting")).toHaveText("4 en attente d’envoi");
  await expect(page.getByTestId("stop").filter({ hasText: "Fait" })).toHaveCount(3);
  await expect(page.getByTestId("stop").filter({ hasText: "Sauté" })).toHaveCount(1);
  // Nothing reached the server.
  // (a fresh token for each check: the e2e server's access tokens live 30 s)
  const headers = async () => ({ authorization: `Bearer ${await token(request)}` });
  let server = await (await request.get(`/api/v1/tours/${tour.id}`, { headers: await headers() })).json();
  expect(server.progress).toMatchObject({ visited: 0, skipped: 0 });
  // The 30-second access token expires while offline: the return must refresh it.
  await page.waitForTimeout(31_000);

  await context.setOffline(false);
  await expect(page.getByTestId("network")).toHaveText("En ligne");
  await expect(page.getByTestId("waiting")).toBeHidden({ timeout: 30_000 });
  await expect(page.getByTestId("queue")).toBeHidden();
  server = await (await request.get(`/api/v1/tours/${tour.id}`, { headers: await headers() })).json();
  expect(server.progress).toMatchObject({ visited: 3, skipped: 1, total: 5, weight_kg: 54.5 });
  // Exactly once each: every container's record of this tour is single.
  for (const [i, expected] of [[0, "visited"], [1, "visited"], [2, "skipped"], [3, "visited"], [4, "pending"]] as const) {
    const records = await (await request.get(`/api/v1/containers/${tour.stops[i].container_id}/visits`, { headers: await headers() })).json();
    const mine = records.filter((r: { tour_id: string }) => r.tour_id === tour.id);
    expect(mine.map((r: { outcome: { outcome: string } }) => r.outcome.outcome), `stop ${i + 1}`).toEqual(expected === "pending" ? [] : [expected]);
  }
  expect(server.stops[2].outcome).toMatchObject({ outcome: "skipped", reason: "blocked", note: "Camion de livraison devant" });

  // The console shows the outcomes.
  const office = await context.browser()!.newContext({ baseURL: test.info().project.use.baseURL, locale: "fr-FR" });
  const console = await office.newPage();
  await signIn(console, "manager", `/admin/tours/${tour.id}`);
  await expect(console.getByTestId("stop-outcome").filter({ hasText: "Fait" })).toHaveCount(3);
  await expect(console.getByTestId("stop-outcome").filter({ hasText: "Sauté" })).toHaveCount(1);
  await office.close();
});

test("a conflict from the office is shown, not lost", async ({ page, context, request }) => {
  test.setTimeout(90_000);
  const f = await fixture(request, 2);
  const vehicle = `CONF-${f.site.code}`;
  const tour = await plannedTour(request, f, vehicle);
  await driverSignIn(page);
  await page.evaluate(async () => void (await navigator.serviceWorker.ready));
  await page.getByRole("link", { name: new RegExp(vehicle) }).click();
  // The start is sent in the background: wait for the server's answer, not for an empty queue
  // (the queue is empty too in the instant before the start is queued).
  const started = page.waitForResponse((r) => r.url().endsWith("/start") && r.ok());
  await page.getByRole("button", { name: "Démarrer la tournée" }).click();
  await started;
  await expect(page.getByTestId("waiting")).toBeHidden();
  await context.setOffline(true);
  await visit(page, tour.stops[0].public_code, 50, "10");
  // Meanwhile another phone of the same driver skipped that stop.
  const driverToken = (await (await request.post("/api/v1/auth/login", { data: { email: "driver@tisseco.test", password: "demo-driver-password" } })).json()).access_token;
  const other = await request.post(`/api/v1/me/tours/${tour.id}/stops/${tour.stops[0].container_id}/skip`, {
    headers: { authorization: `Bearer ${driverToken}` },
    data: { reason: "unsafe" },
  });
  expect(other.status(), await other.text()).toBe(200);
  await context.setOffline(false);
  const conflict = page.getByTestId("queue").locator("li[data-state=conflict]");
  await expect(conflict).toContainText("refusé par le serveur");
  await page.getByRole("button", { name: "Compris" }).click();
  await expect(page.getByTestId("queue")).toBeHidden();
});

/** A Y4M video (4:2:0) of the label: its luma from the PNG as the browser decodes it. */
async function labelVideo(page: Page, png: Buffer, file: string) {
  const [width, height] = [640, 480];
  const luma = await page.evaluate(
    async ({ data, width, height }) => {
      const image = new Image();
      image.src = `data:image/png;base64,${data}`;
      await image.decode();
      const canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      const context = canvas.getContext("2d")!;
      context.fillStyle = "#fff";
      context.fillRect(0, 0, width, height);
      context.imageSmoothingEnabled = false;
      const side = 420;
      context.drawImage(image, (width - side) / 2, (height - side) / 2, side, side);
      const rgba = context.getImageData(0, 0, width, height).data;
      const y = new Array<number>(width * height);
      for (let i = 0; i < width * height; i++) y[i] = Math.round(0.299 * rgba[i * 4]! + 0.587 * rgba[i * 4 + 1]! + 0.114 * rgba[i * 4 + 2]!);
      return y;
    },
    { data: png.toString("base64"), width, height },
  );
  const frame = Buffer.concat([Buffer.from("FRAME\n"), Buffer.from(luma), Buffer.alloc((width * height) / 2, 128)]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(file, Buffer.concat([header, frame, frame, frame]));
}

test("scanning a label with the camera finds its stop, or says it is not on the tour", async ({ page, request }) => {
  test.setTimeout(90_000);
  const f = await fixture(request, 3);
  const vehicle = `SCAN-${f.site.code}`;
  const tour = await plannedTour(request, f, vehicle);
  const target = tour.stops[2];
  const qr = await request.get(`/api/v1/containers/${target.container_id}/qr.png`, { headers: f.headers });
  expect(qr.headers()["content-type"]).toBe("image/png");
  const png = await qr.body();
  const video = join(tmpdir(), `tisseco-label-${f.site.code}.y4m`);
  await labelVideo(page, png, video);

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${video}`],
  });
  const phone = await browser.newContext({ ...PHONE, baseURL: test.info().project.use.baseURL, permissions: ["camera"] });
  const driver = await phone.newPage();
  await driverSignIn(driver);
  await driver.getByRole("link", { name: new RegExp(vehicle) }).click();
  await driver.getByRole("button", { name: "Démarrer la tournée" }).click();
  await driver.getByRole("link", { name: "Scanner une étiquette" }).click();
  await expect(driver.getByRole("heading", { name: `3. ${target.public_code}` })).toBeVisible({ timeout: 20_000 });
  await phoneShot(driver, "driver-scanned");

  // A label of a container that is not on the tour.
  // (a fresh token: the e2e server's access tokens live 30 s)
  const headers = { authorization: `Bearer ${await token(request)}` };
  const stranger = await request.post("/api/v1/containers", {
    headers,
    data: { site_id: f.site.id, type: "street_bin", location: { latitude: 45.75, longitude: 4.85 }, address: "Ailleurs" },
  });
  const outsider = await stranger.json();
  const label = await request.get(`/api/v1/containers/${outsider.id}/qr.png`, { headers });
  expect(label.headers()["content-type"]).toBe("image/png");
  const other = await label.body();
  const otherVideo = video.replace(".y4m", "-other.y4m");
  await labelVideo(page, other, otherVideo);
  await browser.close();
  const second = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${otherVideo}`],
  });
  const phone2 = await second.newContext({ ...PHONE, baseURL: test.info().project.use.baseURL, permissions: ["camera"] });
  const driver2 = await phone2.newPage();
  await driverSignIn(driver2);
  await driver2.goto(`/driver/tours/${tour.id}/scan`);
  await expect(driver2.getByTestId("scan-status")).toHaveText(`Le conteneur ${outsider.public_code} n’est pas dans la tournée du jour.`, { timeout: 20_000 });
  await second.close();
});

test("a session lost while offline: signing in again keeps the queue and sends it", async ({ page, context, request }) => {
  test.setTimeout(90_000);
  const f = await fixture(request, 2);
  const vehicle = `RELOG-${f.site.code}`;
  const tour = await plannedTour(request, f, vehicle);
  await driverSignIn(page);
  await page.evaluate(async () => void (await navigator.serviceWorker.ready));
  await page.getByRole("link", { name: new RegExp(vehicle) }).click();
  // The start is sent in the background: wait for the server's answer, not for an empty queue
  // (the queue is empty too in the instant before the start is queued).
  const started = page.waitForResponse((r) => r.url().endsWith("/start") && r.ok());
  await page.getByRole("button", { name: "Démarrer la tournée" }).click();
  await started;
  await expect(page.getByTestId("waiting")).toBeHidden();
  await context.setOffline(true);
  await visit(page, tour.stops[0].public_code, 70, "20");
  // The refresh cookie is gone (expired, revoked): the session cannot be renewed.
  await context.clearCookies();
  await page.reload();
  await expect(page.getByTestId("waiting")).toHaveText("1 en attente d’envoi");
  await context.setOffline(false);
  await expect(page.getByRole("heading", { name: "Connexion" })).toBeVisible();
  await expect(page.getByText("1 action(s) attendent d’être envoyées")).toBeVisible();
  await page.getByLabel("Mot de passe").fill("demo-driver-password");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByTestId("waiting")).toBeHidden({ timeout: 20_000 });
  const server = await (await request.get(`/api/v1/tours/${tour.id}`, { headers: { authorization: `Bearer ${await token(request)}` } })).json();
  expect(server.progress).toMatchObject({ visited: 1, weight_kg: 20 });
});
