// Sites and areas for filters and forms (few of them: one large page each, cached).
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";

export function useSites() {
  return useQuery({
    queryKey: ["sites", "all"],
    queryFn: async () => unwrap(await api.GET("/api/v1/sites", { params: { query: { limit: 500 } } })).items,
    staleTime: 60_000,
  });
}

export function useAreas(siteId?: string) {
  return useQuery({
    queryKey: ["areas", "all", siteId ?? ""],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/areas", { params: { query: { limit: 500, ...(siteId ? { site_id: siteId } : {}) } } })).items,
    staleTime: 60_000,
  });
}
