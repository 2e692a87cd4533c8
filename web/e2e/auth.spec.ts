// Flow 1: sign in and out, the session across reloads with the refresh token out of
// reach of scripts, silent refresh, the page for a role not allowed, the way back to
// sign-in keeping the page, and "forgot password".
import { expect, test } from "@playwright/test";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expectAccessible, screenshots, signIn, token, unique } from "./support";

test("the root leads to the console, which asks to sign in and comes back to the page asked", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/admin\/sign-in\?next=%2F$/);
  await page.goto("/admin/containers");
  await expect(page).toHaveURL(/sign-in\?next=%2Fcontainers/);
  await expectAccessible(page);
  await screenshots(page, "sign-in");
  await page.getByLabel("Adresse e-mail").fill("manager@tisseco.test");
  await page.getByLabel("Mot de passe").fill("not the password");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByRole("alert")).toHaveText("E-mail ou mot de passe incorrect.");
  await page.getByLabel("Mot de passe").fill("demo-manager-password");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page).toHaveURL(/\/admin\/containers$/);
  await expect(page.getByRole("heading", { name: "Conteneurs" })).toBeVisible();
});

test("a manager stays signed in across reloads; the refresh cookie is HttpOnly and scoped", async ({ page, context }) => {
  await signIn(page, "manager");
  await expect(page.getByRole("heading", { name: "Tableau de bord" })).toBeVisible();
  const cookies = await context.cookies();
  const refresh = cookies.find((c) => c.name === "tisseco_refresh");
  expect(refresh).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict", path: "/api/v1/auth/session" });
  expect(await page.evaluate(() => document.cookie)).not.toContain("tisseco_refresh");
  expect(await page.evaluate(() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage))).not.toContain(refresh!.value);
  await page.reload();
  await expect(page.getByRole("heading", { name: "Tableau de bord" })).toBeVisible();
  await expect(page.getByTestId("who")).toContainText("manager");

  // Access tokens live 30 s here: the console renews it before expiry, without a 401.
  const renewed = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/session/refresh") && r.status() === 200, { timeout: 30_000 });
  const unauthorised: string[] = [];
  page.on("response", (r) => r.status() === 401 && unauthorised.push(r.url()));
  await renewed;
  await page.getByRole("link", { name: "Conteneurs" }).first().click();
  await expect(page.getByRole("table")).toBeVisible();
  expect(unauthorised).toEqual([]);

  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await expect(page.getByRole("heading", { name: "Connexion" })).toBeVisible();
  await page.goto("/admin/");
  await expect(page.getByRole("heading", { name: "Connexion" })).toBeVisible();
});

test("when the session ends, a 401 leads back to sign-in keeping the page", async ({ page, context }) => {
  await signIn(page, "manager", "/admin/sites");
  await expect(page.getByRole("heading", { name: "Sites" })).toBeVisible();
  // The session ends elsewhere (cookie gone); the next call is refused.
  await context.clearCookies();
  await page.route("**/api/v1/areas*", (route) => route.fulfill({ status: 401, contentType: "application/problem+json", body: "{}" }));
  await page.getByRole("link", { name: "Secteurs" }).first().click();
  await expect(page).toHaveURL(/sign-in\?next=%2Fareas/);
  await page.unroute("**/api/v1/areas*");
  await page.getByLabel("Adresse e-mail").fill("manager@tisseco.test");
  await page.getByLabel("Mot de passe").fill("demo-manager-password");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByRole("heading", { name: "Secteurs" })).toBeVisible();
});

test("a driver gets a clear page: the console is for managers", async ({ page }) => {
  await signIn(page, "driver");
  await expect(page.getByRole("heading", { name: "Accès réservé" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await expect(page.getByRole("heading", { name: "Connexion" })).toBeVisible();
});

test("a manager cannot open the admin pages", async ({ page }) => {
  await signIn(page, "manager", "/admin/users");
  await expect(page.getByRole("heading", { name: "Accès réservé" })).toBeVisible();
});

test("English can be chosen and is remembered", async ({ page }) => {
  await signIn(page, "manager");
  await page.getByLabel("Langue").selectOption("en");
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
});

test("forgot password: the request is acknowledged whatever the address", async ({ page }) => {
  await page.goto("/admin/sign-in");
  await page.getByRole("link", { name: "Mot de passe oublié ?" }).click();
  await page.getByLabel("Adresse e-mail").fill("nobody@tisseco.test");
  await page.getByRole("button", { name: "Envoyer le lien" }).click();
  await expect(page.getByRole("status")).toContainText("un e-mail est en route");
  await expectAccessible(page);
});

test("the reset link of the e-mail opens the console's page, which refuses a bad token", async ({ page }) => {
  await page.goto("/reset-password?token=not-a-real-token");
  await expect(page).toHaveURL(/\/admin\/reset-password\?token=not-a-real-token$/);
  await page.getByLabel(/Nouveau mot de passe/).fill("a long enough password");
  await page.getByRole("button", { name: "Changer le mot de passe" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expectAccessible(page);
});

/** The reset link of the newest e-mail to `to` in the SMTP sink (deploy/smtp-sink.py). */
async function resetLink(to: string): Promise<string> {
  const dir = process.env.SMTP_SINK_DIR ?? "/tmp/tisseco-smtp/messages";
  let link: string | undefined;
  await expect
    .poll(
      () => {
        for (const name of readdirSync(dir).filter((n) => n.endsWith(".eml"))) {
          // Quoted-printable: soft line breaks and "=3D" for "=".
          const text = readFileSync(join(dir, name), "utf8").replace(/=\r?\n/g, "").replace(/=3D/g, "=");
          if (!text.includes(`To: ${to}`)) continue;
          link = text.match(/https?:\/\/[^\s"<>]+\/reset-password\?token=[\w.~-]+/)?.[0];
          if (link) return true;
        }
        return false;
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  return link!;
}

test("password reset: forgot password, the e-mail's link, a new password that signs in", async ({ page, request }) => {
  const headers = { authorization: `Bearer ${await token(request, "admin")}` };
  const email = `reset-${unique()}@tisseco.test`;
  const created = await request.post("/api/v1/users", {
    headers,
    data: { email, display_name: "Reset test", role: "manager", password: "the first long password" },
  });
  expect(created.status()).toBe(201);

  await page.goto("/admin/forgot-password");
  await page.getByLabel("Adresse e-mail").fill(email);
  await page.getByRole("button", { name: "Envoyer le lien" }).click();
  await expect(page.getByRole("status")).toBeVisible();
  const link = await resetLink(email);
  await page.goto(link);
  await expect(page).toHaveURL(/\/admin\/reset-password\?token=/);
  await page.getByLabel(/Nouveau mot de passe/).fill("the second long password");
  await page.getByRole("button", { name: "Changer le mot de passe" }).click();
  await expect(page.getByRole("status")).toContainText("Mot de passe changé");
  await page.getByRole("link", { name: "Retour à la connexion" }).click();
  await page.getByLabel("Adresse e-mail").fill(email);
  await page.getByLabel("Mot de passe").fill("the second long password");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByRole("heading", { name: "Tableau de bord" })).toBeVisible();
});
