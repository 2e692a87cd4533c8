// Every key used in the code exists in both languages, and the two catalogues match.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { en } from "./en";
import { fill } from "./format";
import { fr } from "./fr";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("messages", () => {
  it("has the same keys in French and English, none empty", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(fr).sort());
    for (const [key, value] of [...Object.entries(fr), ...Object.entries(en)]) expect(value.trim(), key).not.toBe("");
  });

  it("has every key the code names", () => {
    const src = join(import.meta.dirname, "..");
    const used = new Set<string>();
    for (const file of sources(src)) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/\bt\("([\w.]+)"/g)) used.add(m[1]!);
      for (const m of text.matchAll(/label: "([\w.]+)"/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(50);
    const missing = [...used].filter((key) => !(key in fr));
    expect(missing).toEqual([]);
  });

  it("keeps the same placeholders in both languages", () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(fr) as (keyof typeof fr)[]) expect(names(en[key]), key).toEqual(names(fr[key]));
  });

  it("fills placeholders", () => {
    expect(fill("Page {n} of {m}", { n: 2 })).toBe("Page 2 of {m}");
  });
});

describe("vocabularies", () => {
  it("has a message for every value the API can send", async () => {
    const o = await import("../pages/options");
    const keys = [
      ...o.STATUSES.map(o.statusKey),
      ...o.TYPES.map(o.typeKey),
      ...o.REPORT_STATUSES.map(o.reportStatusKey),
      ...o.CATEGORIES.map(o.categoryKey),
      ...o.ROLES.map(o.roleKey),
      ...["receiving", "uploaded", "validating", "merging", "completed", "failed", "cancelled"].map(o.importStateKey),
    ];
    expect(keys.filter((k) => !(k in fr))).toEqual([]);
  });
});
