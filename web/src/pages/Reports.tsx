// The moderation queue: filters by status, category, site and area, newest first.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "wouter";
import { api, unwrap } from "../api/client";
import { Pager, useCursor } from "../components/Pager";
import { Loading, QueryError } from "../components/Status";
import { useI18n } from "../i18n";
import { Select } from "./Containers";
import { useAreas, useSites } from "./lookups";
import { CATEGORIES, REPORT_STATUSES, categoryKey, reportStatusKey } from "./options";

export function Reports() {
  const { t, dateTime } = useI18n();
  const [filters, setFilters] = useState({ status: "", category: "", site_id: "", area_id: "" });
  const paging = useCursor();
  const sites = useSites();
  const areas = useAreas(filters.site_id || undefined);
  const query = useQuery({
    queryKey: ["reports", filters, paging.cursor],
    queryFn: async () => {
      const clean = Object.fromEntries(Object.entries(filters).filter(([, v]) => v));
      return unwrap(await api.GET("/api/v1/reports", { params: { query: { ...clean, limit: 25, ...(paging.cursor ? { before: paging.cursor } : {}) } } }));
    },
    placeholderData: keepPreviousData,
  });
  const set = (name: keyof typeof filters) => (e: React.ChangeEvent<HTMLSelectElement>) => {
    setFilters((f) => ({ ...f, [name]: e.target.value }));
    paging.reset();
  };
  return (
    <section className="flex flex-col gap-4">
      <h1 className="text-2xl font-bold">{t("reports.title")}</h1>
      <div className="grid grid-cols-2 gap-2 md:grid-cols-4">
        <Select label={t("filter.status")} value={filters.status} onChange={set("status")}>
          {REPORT_STATUSES.map((s) => <option key={s} value={s}>{t(reportStatusKey(s))}</option>)}
        </Select>
        <Select label={t("reports.category")} value={filters.category} onChange={set("category")}>
          {CATEGORIES.map((s) => <option key={s} value={s}>{t(categoryKey(s))}</option>)}
        </Select>
        <Select label={t("filter.site")} value={filters.site_id} onChange={set("site_id")}>
          {(sites.data ?? []).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </Select>
        <Select label={t("filter.area")} value={filters.area_id} onChange={set("area_id")}>
          {(areas.data ?? []).map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
        </Select>
      </div>
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <QueryError error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <div className="overflow-x-auto">
          <table className="table table-sm">
            <thead>
              <tr>
                <th>{t("reports.when")}</th>
                <th>{t("container.code")}</th>
                <th>{t("reports.category")}</th>
                <th>{t("filter.status")}</th>
                <th>{t("reports.count")}</th>
              </tr>
            </thead>
            <tbody>
              {query.data.items.map((r) => (
                <tr key={r.id}>
                  <td><Link href={`/reports/${r.id}`} className="link">{dateTime(r.created_at)}</Link></td>
                  <td className="font-mono">{r.container_code}</td>
                  <td>{t(categoryKey(r.category))}</td>
                  <td>{t(reportStatusKey(r.status))}</td>
                  <td>{r.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {query.data.items.length === 0 && <p className="p-4">{t("common.empty")}</p>}
          <Pager page={paging.page} nextCursor={query.data.next_cursor} onNext={paging.next} onPrevious={paging.previous} />
        </div>
      )}
    </section>
  );
}
