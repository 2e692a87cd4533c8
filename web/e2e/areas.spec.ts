// Flow: an area's boundary drawn on the map; the domain's refusal (a ring crossing
// itself) shown on the map; a valid outline saved.
import { expect, test, type Page } from "@playwright/test";
import { expectAccessible, screenshots, signIn, token } from "./support";

async function outline(page: Page, corners: [number, number][]) {
  const box = (await page.getByTestId("area-map").boundingBox())!;
  const at = ([x, y]: [number, number]) => page.mouse.click(box.x + x, box.y + y);
  for (const corner of corners) await at(corner);
  await at(corners[0]!); // closes on the first point
}

test("an area's boundary: a crossing outline is refused on the map, a square is saved", async ({ page, request }) => {
  await signIn(page, "manager", "/admin/areas");
  await page.getByRole("link", { name: "Île Verte" }).click();
  await expect(page.getByRole("heading", { name: "Périmètre : Île Verte" })).toBeVisible();
  const map = page.getByTestId("area-map");
  await expect(map).toHaveAttribute("data-ready", "true");
  await expectAccessible(page);
  const id = page.url().split("/").pop()!;

  await page.getByRole("button", { name: "Redessiner" }).click();
  await outline(page, [[100, 100], [300, 300], [300, 140], [100, 260]]);
  await page.getByRole("button", { name: "Enregistrer" }).click();
  await expect(page.getByRole("alert")).toContainText("crosses itself");

  await page.getByRole("button", { name: "Redessiner" }).click();
  await outline(page, [[100, 100], [300, 100], [300, 300], [100, 300]]);
  await page.getByRole("button", { name: "Enregistrer" }).click();
  await expect(page.getByRole("status")).toHaveText("Périmètre enregistré.");
  await screenshots(page, "area-boundary");

  const headers = { authorization: `Bearer ${await token(request)}` };
  const area = await (await request.get(`/api/v1/areas/${id}`, { headers })).json();
  expect(area.boundary.type).toBe("MultiPolygon");
  expect(area.boundary.coordinates).toHaveLength(1);
  expect(area.boundary.coordinates[0][0]).toHaveLength(5);
});
