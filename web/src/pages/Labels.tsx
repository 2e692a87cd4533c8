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
  const sites = useSites();
  const areas = useAreas(siteId || undefined);
  const failure = useFailureMessage();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      let query: string;
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
        query = `ids=${ids.join(",")}`;
      } else if (areaId) query = `area_id=${areaId}`;
      else if (siteId) query = `site_id=${siteId}`;
      else return setError(t("labels.choose"));
      await openHtml(`/api/v1/labels?${query}`);
    } catch (e) {
      setError(e instanceof Error && !("status" in e) ? e.message : failure(e));
    }
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
      <button type="submit" className="btn btn-primary">{t("labels.open")}</button>
    </form>
  );
}
