// A person at a container: opens its page in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core), reports it full, sees the confirmation, follows the report.
// The browser asks for French; with `en`, the person first follows the page's switch to
// English, which the site then remembers.
// Usage: node report.mjs <base-url> <container-code> <artifacts-dir> [fr|en]
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [base, code, artifacts, lang = "fr"] = process.argv.slice(2);
const words = {
  fr: { html: "fr", full: "Plein", details: /Précisions/, send: "Envoyer le signalement",
    thanks: "Merci !", follow: /page de votre signalement/, report: "Votre signalement" },
  en: { html: "en", full: "Full", details: /Details/, send: "Send the report",
    thanks: "Thank you!", follow: /your report/, report: "Your report" },
}[lang];
if (!base || !code || !artifacts) {
  console.error("usage: node report.mjs <base-url> <container-code> <artifacts-dir>");
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  // A phone-sized window, JavaScript off: the page must work without it.
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, javaScriptEnabled: false, locale: "fr-FR",
  });
  const page = await context.newPage();
  const started = Date.now();
  const response = await page.goto(`${base}/c/${code}`);
  if (response.status() !== 200) throw new Error(`container page: HTTP ${response.status()}`);
  if (lang === "en") {
    await page.getByRole("link", { name: "English" }).click();
  }
  const htmlLang = await page.locator("html").getAttribute("lang");
  if (htmlLang !== words.html) throw new Error(`page in ${htmlLang}, expected ${words.html}`);
  await page.screenshot({ path: `${artifacts}/container-page.png`, fullPage: true });
  await page.getByLabel(words.full, { exact: true }).check();
  await page.getByLabel(words.details).fill("Overflowing, bags on the ground");
  await page.getByRole("button", { name: words.send }).click();
  await page.getByRole("heading", { name: words.thanks }).waitFor();
  await page.screenshot({ path: `${artifacts}/confirmation.png`, fullPage: true });
  const seconds = (Date.now() - started) / 1000;
  await page.getByRole("link", { name: words.follow }).click();
  await page.getByRole("heading", { name: words.report }).waitFor();
  const status = await page.locator(".status").innerText();
  await page.screenshot({ path: `${artifacts}/follow-page.png`, fullPage: true });
  console.log(JSON.stringify({ ok: true, seconds, status, follow: new URL(page.url()).pathname }));
} finally {
  await browser.close();
}
