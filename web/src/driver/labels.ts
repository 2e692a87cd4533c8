// Message keys for the API's vocabularies shown to drivers.
import type { MessageKey } from "../i18n/fr";

export const SKIP_REASONS = ["inaccessible", "blocked", "not_found", "unsafe", "out_of_time", "other"] as const;
export const PROBLEMS = ["damaged", "overflowing", "dirty", "graffiti", "other"] as const;

export const stateKey = (state: string) => `tourState.${state}` as MessageKey;
export const skipKey = (reason: string) => `skip.${reason}` as MessageKey;
export const problemKey = (problem: string) => `problem.${problem}` as MessageKey;

/** "1.2 km" or "350 m". */
export function distance(metres: number): string {
  return metres >= 1000 ? `${(metres / 1000).toFixed(1)} km` : `${Math.round(metres)} m`;
}
export const outcomeKey = (outcome: string) => `outcome.${outcome}` as MessageKey;
