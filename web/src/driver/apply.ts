// What an action does to the phone's copy of a tour, so that the screen shows it at once,
// before (or without) the server's answer. The server's tour, once received, replaces it.
import type { Action, Queued, Tour } from "./types";
import { outcomeOf } from "./types";

export function apply(tour: Tour, action: Action, at: string): Tour {
  if (action.tourId !== tour.id) return tour;
  switch (action.kind) {
    case "start":
      return tour.state === "planned" ? { ...tour, state: "in_progress" } : tour;
    case "complete":
      return { ...tour, state: "completed" };
    case "visit":
    case "skip": {
      // The API types an outcome as an open object (Record<string, never> in TypeScript).
      const outcome = (
        action.kind === "visit"
          ? { outcome: "visited", at, ...action.body }
          : { outcome: "skipped", at, reason: action.body.reason, note: action.body.note }
      ) as unknown as Tour["stops"][number]["outcome"];
      const stops = tour.stops.map((s) => (s.container_id === action.containerId ? { ...s, outcome } : s));
      return { ...tour, stops, progress: progressOf(stops) };
    }
  }
}

function progressOf(stops: Tour["stops"]): Tour["progress"] {
  let visited = 0;
  let skipped = 0;
  let weight_kg = 0;
  for (const stop of stops) {
    const o = outcomeOf(stop);
    if (o.outcome === "visited") {
      visited += 1;
      weight_kg += o.weight_kg ?? 0;
    } else if (o.outcome === "skipped") skipped += 1;
  }
  return { visited, skipped, total: stops.length, weight_kg };
}

/** The tours as the driver should see them: the server's copy with every waiting action on top. */
export function view(tours: Tour[], queue: Queued[]): Tour[] {
  return tours.map((tour) =>
    queue.filter((q) => q.state === "waiting").reduce((t, q) => apply(t, q.action, q.recordedAt), tour),
  );
}

/** Metres between two points on the sphere (haversine), for "next stop in …". */
export function metres(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const dlat = (b.latitude - a.latitude) * rad;
  const dlon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dlat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dlon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}
