// Sends the queued actions, oldest first, each with its Idempotency-Key: a request that
// reached the server but whose answer was lost is sent again and recorded once. Stops at
// the first network failure (the rest waits, in order); a refusal (the office changed
// the stop, cancelled the tour) is kept and shown as a conflict, never dropped.
import { authFetch } from "../api/session";
import { dequeue, markConflict, queued, saveTour } from "./store";
import type { Action, Queued, Tour } from "./types";

export type FlushResult = "done" | "offline" | "signedOut";

const ME = "/api/v1/me/tours";

function request(action: Action, key: string): Request {
  const headers = { "content-type": "application/json", "idempotency-key": key };
  switch (action.kind) {
    case "start":
    case "complete":
      return new Request(`${ME}/${action.tourId}/${action.kind}`, { method: "POST", headers });
    case "visit":
    case "skip":
      return new Request(`${ME}/${action.tourId}/stops/${action.containerId}/${action.kind}`, {
        method: "POST",
        headers,
        body: JSON.stringify(action.body),
      });
  }
}

/** Start and complete have no key on the server: a 409 because it is already done is a success. */
async function alreadyDone(action: Action): Promise<boolean> {
  if (action.kind !== "start" && action.kind !== "complete") return false;
  const response = await authFetch(new Request(`${ME}/${action.tourId}`));
  if (!response.ok) return false;
  const tour = (await response.json()) as Tour;
  await saveTour(tour);
  return action.kind === "start" ? tour.state === "in_progress" || tour.state === "completed" : tour.state === "completed";
}

let running: Promise<FlushResult> | null = null;

/** Sends what waits for `userId`; one run at a time (a second call joins the first). */
export function flush(userId: string): Promise<FlushResult> {
  running ??= send(userId).finally(() => (running = null));
  return running;
}

async function send(userId: string): Promise<FlushResult> {
  const waiting = (await queued()).filter((q: Queued) => q.state === "waiting" && q.userId === userId);
  for (const item of waiting) {
    let response: Response;
    try {
      response = await authFetch(request(item.action, item.key));
    } catch {
      return "offline";
    }
    if (response.ok) {
      await saveTour((await response.json()) as Tour);
      await dequeue(item.seq!);
      continue;
    }
    if (response.status === 401) return "signedOut";
    if (response.status >= 500 || response.status === 429 || response.status === 408) return "offline";
    if (response.status === 409 && (await alreadyDone(item.action).catch(() => false))) {
      await dequeue(item.seq!);
      continue;
    }
    const problem = (await response.json().catch(() => ({}))) as { detail?: string };
    await markConflict(item, problem.detail ?? `HTTP ${response.status}`);
  }
  return "done";
}
