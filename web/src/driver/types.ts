// The driver app's data: the API's tours, and the actions waiting to be sent.
import type { components } from "../api/schema";

export type Tour = components["schemas"]["TourDto"];
export type Stop = Tour["stops"][number];

export interface VisitBody {
  fill_level: number;
  weight_kg: number | null;
  emptied: boolean;
  notes: string | null;
  problem: string | null;
}

export interface SkipBody {
  reason: string;
  note: string | null;
}

/** An action recorded on the phone, sent in order when the network allows. */
export type Action =
  | { kind: "start"; tourId: string }
  | { kind: "complete"; tourId: string }
  | { kind: "visit"; tourId: string; containerId: string; body: VisitBody }
  | { kind: "skip"; tourId: string; containerId: string; body: SkipBody };

export interface Queued {
  /** Order of recording (IndexedDB auto-increment): the order of sending. */
  seq?: number;
  action: Action;
  /** Sent as `Idempotency-Key`: the server records the action once however often it is sent. */
  key: string;
  userId: string;
  recordedAt: string;
  /** waiting: not yet acknowledged; conflict: the server refused it (shown until dismissed). */
  state: "waiting" | "conflict";
  problem?: string;
}

/** A stop's outcome as the API sends it. */
export interface Outcome {
  outcome: "pending" | "visited" | "skipped";
  fill_level?: number;
  weight_kg?: number | null;
  emptied?: boolean;
  reason?: string;
  at?: string;
}

export const outcomeOf = (stop: Stop): Outcome => stop.outcome as unknown as Outcome;
