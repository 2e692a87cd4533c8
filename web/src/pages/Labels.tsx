// QR labels: a site, an area, or a selection of container codes → the printable sheet.
import { useState, type FormEvent } from "react";
import { api, unwrap } from "../api/client";
import { useFailureMessage } from "../components/Status";
import { openHtml } from "../components/useBlobUrl";
import { useI18n } from "../i18n";
import { Select } from "./Containers";
import { useAreas, useSites } from "./lookups";

export function Labels() {
  const { t } = useI18n();
  const [siteId, setSiteId] = useState("");
  const [areaId, setAreaId] = useState("");
  const [codes, setCodes] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [link, setLink] = useState<{ url: string; expires_at: string } | null>(null);
  const sites = useSites();
  const areas = useAreas(siteId || undefined);
  const failure = useFailureMessage();

  // The sheet's query, or null (and the reason shown) when nothing is chosen.
  async function sheetQuery(): Promise<string | null> {
    const wanted = codes.split(/[\s,;]+/).filter(Boolean);
    if (wanted.length) {
      const ids = await Promise.all(
        wanted.map(async (code) => {
          const page = unwrap(await api.GET("/api/v1/containers", { params: { query: { q: code, limit: 5 } } }));
          const match = page.items.find((c) => c.public_code.toUpperCase() === code.toUpperCase());
          if (!match) throw new Error(t("labels.unknown", { code }));
          return match.id;
        }),
      );
      return `ids=${ids.join(",")}`;
    }
    if (areaId) return `area_id=${areaId}`;
    if (siteId) return `site_id=${siteId}`;
    setError(t("labels.choose"));
    return null;
  }

  async function run(action: (query: string) => Promise<void>) {
    setError(null);
    setLink(null);
    try {
      const query = await sheetQuery();
      if (query !== null) await action(query);
    } catch (e) {
      setError(e instanceof Error && !("status" in e) ? e.message : failure(e));
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void run((query) => openHtml(`/api/v1/labels?${query}`));
  }

  // A 7-day link that opens the sheet without signing in, for whoever prints it.
  function shareLink() {
    void run(async (query) => {
      const made = unwrap(await api.POST("/api/v1/links", { body: { target: `/api/v1/labels?${query}` } }));
      setLink(made);
      await navigator.clipboard?.writeText(made.url).catch(() => undefined);
    });
  }

  return (
    <form onSubmit={(e) => void submit(e)} className="flex max-w-xl flex-col gap-3">
      <h1 className="text-2xl font-bold">{t("labels.title")}</h1>
      <p>{t("labels.intro")}</p>
      <Select label={t("filter.site")} value={siteId} onChange={(e) => { setSiteId(e.target.value); setAreaId(""); }}>
        {(sites.data ?? []).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
      </Select>
      <Select label={t("filter.area")} value={areaId} onChange={(e) => setAreaId(e.target.value)}>
        {(areas.data ?? []).map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
      </Select>
      <label className="flex flex-col gap-1">
        <span className="text-sm">{t("labels.codes")}</span>
        <textarea className="textarea w-full" value={codes} onChange={(e) => setCodes(e.target.value)} />
      </label>
      {error && <p role="alert" className="alert alert-error">{error}</p>}
      <div className="flex flex-wrap gap-2">
        <button type="submit" className="btn btn-primary">{t("labels.open")}</button>
        <button type="button" className="btn" onClick={shareLink}>{t("labels.share")}</button>
      </div>
      {link && (
        <label className="flex flex-col gap-1">
          <span className="text-sm">{t("labels.shared", { date: new Date(link.expires_at).toLocaleDateString() })}</span>
          <input className="input w-full" readOnly value={link.url} onFocus={(e) => e.target.select()} />
        </label>
      )}
    </form>
  );
}
