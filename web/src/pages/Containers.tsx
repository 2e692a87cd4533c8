// Containers: server-side filters, search and keyset pages.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link } from "wouter";
import { api, unwrap } from "../api/client";
import { Pager, useCursor } from "../components/Pager";
import { Loading, QueryError } from "../components/Status";
import { useI18n } from "../i18n";
import { useAreas, useSites } from "./lookups";
import { STATUS_BADGE, STATUSES, TYPES, statusKey, typeKey } from "./options";

export function Containers() {
  const { t } = useI18n();
  const params = new URLSearchParams(window.location.search);
  const [filters, setFilters] = useState({
    site_id: params.get("site_id") ?? "",
    area_id: params.get("area_id") ?? "",
    type: params.get("type") ?? "",
    status: params.get("status") ?? "",
  });
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  const paging = useCursor();
  const { reset } = paging;
  useEffect(() => {
    const id = setTimeout(() => setQ(text.trim()), 300);
    return () => clearTimeout(id);
  }, [text]);
  useEffect(reset, [filters, q, reset]);

  const sites = useSites();
  const areas = useAreas(filters.site_id || undefined);
  const siteName = new Map((sites.data ?? []).map((s) => [s.id, s.name]));
  const query = useQuery({
    queryKey: ["containers", filters, q, paging.cursor],
    queryFn: async () => {
      const clean = Object.fromEntries(Object.entries(filters).filter(([, v]) => v));
      return unwrap(
        await api.GET("/api/v1/containers", {
          params: { query: { ...clean, ...(q ? { q } : {}), ...(paging.cursor ? { after: paging.cursor } : {}), limit: 25 } },
        }),
      );
    },
    placeholderData: keepPreviousData,
  });
  const set = (name: keyof typeof filters) => (e: React.ChangeEvent<HTMLSelectElement>) =>
    setFilters((f) => ({ ...f, [name]: e.target.value, ...(name === "site_id" ? { area_id: "" } : {}) }));

  return (
    <section>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-2xl font-bold">{t("containers.title")}</h1>
        <Link href="/containers/new" className="btn btn-primary btn-sm">
          {t("containers.new")}
        </Link>
      </div>
      <div className="mb-3 grid grid-cols-2 gap-2 md:grid-cols-5">
        <label className="col-span-2 flex flex-col gap-1 md:col-span-1">
          <span className="text-sm">{t("filter.search")}</span>
          <input type="search" className="input input-sm w-full" value={text} onChange={(e) => setText(e.target.value)} placeholder={t("containers.searchHint")} />
        </label>
        <Select label={t("filter.site")} value={filters.site_id} onChange={set("site_id")}>
          {(sites.data ?? []).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </Select>
        <Select label={t("filter.area")} value={filters.area_id} onChange={set("area_id")}>
          {(areas.data ?? []).map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
        </Select>
        <Select label={t("filter.type")} value={filters.type} onChange={set("type")}>
          {TYPES.map((v) => <option key={v} value={v}>{t(typeKey(v))}</option>)}
        </Select>
        <Select label={t("filter.status")} value={filters.status} onChange={set("status")}>
          {STATUSES.map((v) => <option key={v} value={v}>{t(statusKey(v))}</option>)}
        </Select>
      </div>
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <QueryError error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <>
          <div className="overflow-x-auto">
            <table className="table table-sm" aria-busy={query.isFetching}>
              <thead>
                <tr>
                  <th>{t("container.code")}</th>
                  <th>{t("container.type")}</th>
                  <th>{t("container.status")}</th>
                  <th>{t("container.address")}</th>
                  <th className="hidden md:table-cell">{t("filter.site")}</th>
                </tr>
              </thead>
              <tbody>
                {query.data.items.map((c) => (
                  <tr key={c.id}>
                    <td><Link href={`/containers/${c.id}`} className="link font-mono">{c.public_code}</Link></td>
                    <td>{t(typeKey(c.type))}</td>
                    <td><span className={`badge badge-sm ${STATUS_BADGE[c.status] ?? ""}`}>{t(statusKey(c.status))}</span></td>
                    <td className="max-w-xs truncate">{c.address ?? "—"}</td>
                    <td className="hidden md:table-cell">{siteName.get(c.site_id) ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {query.data.items.length === 0 && <p className="p-4">{t("common.empty")}</p>}
          </div>
          <Pager page={paging.page} nextCursor={query.data.next_cursor} onNext={paging.next} onPrevious={paging.previous} />
        </>
      )}
    </section>
  );
}

export function Select({
  label,
  value,
  onChange,
  children,
  all = true,
}: {
  label: string;
  value: string;
  onChange: (e: React.ChangeEvent<HTMLSelectElement>) => void;
  children: React.ReactNode;
  all?: boolean;
}) {
  const { t } = useI18n();
  return (
    <label className="flex flex-col gap-1">
      <span className="text-sm">{label}</span>
      <select className="select select-sm w-full" value={value} onChange={onChange}>
        {all && <option value="">{t("filter.all")}</option>}
        {children}
      </select>
    </label>
  );
}
