// Shared by the tour pages: the data hooks, the "late" rule and distances.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../api/client";
import type { MessageKey } from "../../i18n/fr";

export type Tour = Schemas["TourDto"];
export type Route = Schemas["RouteFeature"];

/** Tours start at 07:00 local time (plan-day's default shift start); a planned tour not
 * started 15 min after is late (a draft is still the office's: not late, not the driver's). */
export const START_HOUR = 7;
const GRACE_MS = 15 * 60_000;

export function isLate(tour: Pick<Tour, "state" | "date">, now = new Date()): boolean {
  if (tour.state !== "planned") return false;
  const [y, m, d] = tour.date.split("-").map(Number) as [number, number, number];
  const start = new Date(y, m - 1, d, START_HOUR, 0, 0);
  return now.getTime() > start.getTime() + GRACE_MS;
}

export const stateKey = (state: string) => `tourState.${state}` as MessageKey;
export const outcomeKey = (outcome: string) => `outcome.${outcome}` as MessageKey;
export const outcomeOf = (stop: Tour["stops"][number]) => (stop.outcome as unknown as { outcome: string }).outcome;

export const km = (metres: number) => `${(metres / 1000).toFixed(2)} km`;

export const localToday = () => {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
};

export function useDrivers() {
  return useQuery({
    queryKey: ["drivers"],
    queryFn: async () => unwrap(await api.GET("/api/v1/drivers")),
    staleTime: 60_000,
  });
}
