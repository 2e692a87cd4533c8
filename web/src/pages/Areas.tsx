// Areas of a site, with keyset pages.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "wouter";
import { api, unwrap } from "../api/client";
import { Pager, useCursor } from "../components/Pager";
import { Loading, QueryError } from "../components/Status";
import { useI18n } from "../i18n";
import { Select } from "./Containers";
import { useSites } from "./lookups";

export function Areas() {
  const { t } = useI18n();
  const [siteId, setSiteId] = useState("");
  const paging = useCursor();
  const sites = useSites();
  const query = useQuery({
    queryKey: ["areas", siteId, paging.cursor],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/areas", { params: { query: { limit: 25, ...(siteId ? { site_id: siteId } : {}), ...(paging.cursor ? { after: paging.cursor } : {}) } } })),
    placeholderData: keepPreviousData,
  });
  const siteName = new Map((sites.data ?? []).map((s) => [s.id, s.name]));
  return (
    <section className="flex flex-col gap-4">
      <h1 className="text-2xl font-bold">{t("areas.title")}</h1>
      <div className="max-w-xs">
        <Select label={t("filter.site")} value={siteId} onChange={(e) => { setSiteId(e.target.value); paging.reset(); }}>
          {(sites.data ?? []).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
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
                <th>{t("sites.code")}</th>
                <th>{t("sites.name")}</th>
                <th>{t("filter.site")}</th>
                <th>{t("nav.containers")}</th>
              </tr>
            </thead>
            <tbody>
              {query.data.items.map((a) => (
                <tr key={a.id}>
                  <td className="font-mono">{a.code}</td>
                  <td><Link href={`/areas/${a.id}`} className="link">{a.name}</Link></td>
                  <td>{siteName.get(a.site_id) ?? ""}</td>
                  <td><Link href={`/containers?site_id=${a.site_id}&area_id=${a.id}`} className="link">{t("sites.containers")}</Link></td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={paging.page} nextCursor={query.data.next_cursor} onNext={paging.next} onPrevious={paging.previous} />
        </div>
      )}
    </section>
  );
}
