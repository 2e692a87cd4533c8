// The imports this browser started (the API has no list of imports yet): kept in
// localStorage so the list and the dashboard survive a reload.
import type { ImportJob } from "../api/client";

const KEY = "tisseco.imports";

export type Remembered = Pick<ImportJob, "id" | "file_name" | "state" | "dry_run" | "created_at">;

export function recentImports(): Remembered[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? "[]");
    return Array.isArray(parsed) ? (parsed as Remembered[]) : [];
  } catch {
    return [];
  }
}

export function remember(job: Remembered) {
  const others = recentImports().filter((i) => i.id !== job.id);
  const { id, file_name, state, dry_run, created_at } = job;
  localStorage.setItem(KEY, JSON.stringify([{ id, file_name, state, dry_run, created_at }, ...others].slice(0, 50)));
}
