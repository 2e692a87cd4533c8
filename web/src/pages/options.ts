// The closed vocabularies of the API, with their message keys.
import type { MessageKey } from "../i18n/fr";

export const STATUSES = ["active", "full", "damaged", "maintenance", "removed"] as const;
export const TYPES = ["street_bin", "underground", "in_store", "other"] as const;
export const REPORT_STATUSES = ["new", "acknowledged", "in_progress", "resolved", "rejected"] as const;
export const CATEGORIES = ["full", "damaged", "dirty", "missing", "vandalism", "other"] as const;
export const ROLES = ["driver", "manager", "admin"] as const;

export const statusKey = (s: string) => `status.${s}` as MessageKey;
export const typeKey = (s: string) => `type.${s}` as MessageKey;
export const reportStatusKey = (s: string) => `reportStatus.${s}` as MessageKey;
export const categoryKey = (s: string) => `category.${s}` as MessageKey;
export const roleKey = (s: string) => `role.${s}` as MessageKey;
export const importStateKey = (s: string) => `importState.${s}` as MessageKey;

export const STATUS_BADGE: Record<string, string> = {
  active: "badge-success",
  full: "badge-warning",
  damaged: "badge-error",
  maintenance: "badge-info",
  removed: "badge-neutral",
};
