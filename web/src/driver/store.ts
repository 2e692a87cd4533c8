// Durable storage on the phone (IndexedDB): today's tours as last seen, the queue of
// actions not yet acknowledged by the server, and who was signed in. Survives reloads,
// crashes and sign-outs: a re-login finds its queue intact.
import { openDB, type DBSchema, type IDBPDatabase } from "idb";
import type { Queued, Tour } from "./types";

interface DriverDb extends DBSchema {
  tours: { key: string; value: Tour };
  queue: { key: number; value: Queued };
  meta: { key: string; value: unknown };
}

let db: Promise<IDBPDatabase<DriverDb>> | null = null;

function open(): Promise<IDBPDatabase<DriverDb>> {
  db ??= openDB<DriverDb>("tisseco-driver", 1, {
    upgrade(d) {
      d.createObjectStore("tours", { keyPath: "id" });
      d.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
      d.createObjectStore("meta");
    },
  });
  return db;
}

export async function saveTours(tours: Tour[], date: string): Promise<void> {
  const d = await open();
  const tx = d.transaction(["tours", "meta"], "readwrite");
  await tx.objectStore("tours").clear();
  for (const tour of tours) await tx.objectStore("tours").put(tour);
  await tx.objectStore("meta").put(date, "toursDate");
  await tx.done;
}

export async function saveTour(tour: Tour): Promise<void> {
  await (await open()).put("tours", tour);
}

export async function loadTours(): Promise<Tour[]> {
  return (await open()).getAll("tours");
}

export async function enqueue(item: Omit<Queued, "seq">): Promise<number> {
  return (await open()).add("queue", item as Queued);
}

/** Every queued action, oldest first. */
export async function queued(): Promise<Queued[]> {
  return (await open()).getAll("queue");
}

export async function dequeue(seq: number): Promise<void> {
  await (await open()).delete("queue", seq);
}

export async function markConflict(item: Queued, problem: string): Promise<void> {
  await (await open()).put("queue", { ...item, state: "conflict", problem });
}

export async function getMeta<T>(key: string): Promise<T | undefined> {
  return (await (await open()).get("meta", key)) as T | undefined;
}

export async function setMeta(key: string, value: unknown): Promise<void> {
  await (await open()).put("meta", value, key);
}
