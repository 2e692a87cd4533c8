// The map of containers (loaded lazily with MapLibre): coloured by status, filters,
// areas as polygons, a card on click, search by code or address.
import maplibregl, { type GeoJSONSource } from "maplibre-gl";
import "maplibre-gl/dist/maplibre-gl.css";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { api, unwrap } from "../api/client";
import { useI18n } from "../i18n";
import { mapStyle } from "../map/style";
import { Select } from "./Containers";
import { useAreas, useSites } from "./lookups";
import { STATUSES, TYPES, statusKey, typeKey } from "./options";

const COLOURS = ["match", ["get", "status"], "active", "#16a34a", "full", "#d97706", "damaged", "#dc2626", "maintenance", "#2563eb", "#6b7280"];
const EMPTY: GeoJSON.FeatureCollection = { type: "FeatureCollection", features: [] };

interface Picked {
  id: string;
  code: string;
  status: string;
  address: string;
}

export default function MapPage() {
  const { t } = useI18n();
  const element = useRef<HTMLDivElement>(null);
  const map = useRef<maplibregl.Map | null>(null);
  const [ready, setReady] = useState(false);
  const [filters, setFilters] = useState({ type: "", status: "", site_id: "", area_id: "" });
  const [picked, setPicked] = useState<Picked | null>(null);
  const [search, setSearch] = useState("");
  const [notFound, setNotFound] = useState(false);
  const sites = useSites();
  const areas = useAreas(filters.site_id || undefined);

  useEffect(() => {
    if (!element.current) return;
    const m = new maplibregl.Map({ container: element.current, style: mapStyle(), center: [4.8357, 45.764], zoom: 11 });
    m.addControl(new maplibregl.NavigationControl(), "top-right");
    m.on("load", () => {
      m.addSource("areas", { type: "geojson", data: EMPTY });
      m.addLayer({ id: "areas-fill", type: "fill", source: "areas", paint: { "fill-color": "#0ea5e9", "fill-opacity": 0.08 } });
      m.addLayer({ id: "areas-line", type: "line", source: "areas", paint: { "line-color": "#0284c7", "line-width": 1.5 } });
      m.addSource("containers", { type: "geojson", data: EMPTY });
      m.addLayer({
        id: "containers",
        type: "circle",
        source: "containers",
        paint: { "circle-radius": 6, "circle-color": COLOURS as never, "circle-stroke-color": "#fff", "circle-stroke-width": 1.5 },
      });
      m.on("click", "containers", (e) => {
        const p = e.features?.[0]?.properties;
        const id = e.features?.[0]?.id ?? p?.id;
        if (p && id) setPicked({ id: String(id), code: String(p.public_code ?? ""), status: String(p.status ?? ""), address: String(p.address ?? "") });
      });
      m.on("mouseenter", "containers", () => (m.getCanvas().style.cursor = "pointer"));
      m.on("mouseleave", "containers", () => (m.getCanvas().style.cursor = ""));
      setReady(true);
    });
    map.current = m;
    return () => m.remove();
  }, []);

  // The containers in view, again after each move or filter change.
  useEffect(() => {
    const m = map.current;
    if (!m || !ready) return;
    const load = async () => {
      const b = m.getBounds();
      const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5)).join(",");
      const clean = Object.fromEntries(Object.entries(filters).filter(([, v]) => v));
      const data = unwrap(await api.GET("/api/v1/containers/search/bbox", { params: { query: { bbox, limit: 500, ...clean } } }));
      (m.getSource("containers") as GeoJSONSource | undefined)?.setData(data as unknown as GeoJSON.FeatureCollection);
      m.getCanvas().dataset.count = String((data as { features: unknown[] }).features.length);
    };
    void load();
    m.on("moveend", load);
    return () => void m.off("moveend", load);
  }, [ready, filters]);

  useEffect(() => {
    const m = map.current;
    if (!m || !ready || !areas.data) return;
    const features = areas.data
      .filter((a) => a.boundary)
      .map((a) => ({ type: "Feature" as const, properties: { name: a.name }, geometry: a.boundary as unknown as GeoJSON.Geometry }));
    (m.getSource("areas") as GeoJSONSource | undefined)?.setData({ type: "FeatureCollection", features });
  }, [ready, areas.data]);

  async function find(event: FormEvent) {
    event.preventDefault();
    setNotFound(false);
    const q = search.trim();
    if (!q) return;
    const page = unwrap(await api.GET("/api/v1/containers", { params: { query: { q, limit: 1 } } }));
    const c = page.items[0];
    if (!c) return setNotFound(true);
    map.current?.flyTo({ center: [c.location.longitude, c.location.latitude], zoom: 17 });
    setPicked({ id: c.id, code: c.public_code, status: c.status, address: c.address ?? "" });
  }

  const set = (name: keyof typeof filters) => (e: React.ChangeEvent<HTMLSelectElement>) => setFilters((f) => ({ ...f, [name]: e.target.value }));

  return (
    <section className="flex flex-col gap-3">
      <h1 className="text-2xl font-bold">{t("map.title")}</h1>
      <div className="grid grid-cols-2 gap-2 md:grid-cols-5">
        <form onSubmit={(e) => void find(e)} className="col-span-2 flex flex-col gap-1 md:col-span-1">
          <label htmlFor="map-search" className="text-sm">{t("filter.search")}</label>
          <input id="map-search" type="search" className="input input-sm w-full" value={search} onChange={(e) => setSearch(e.target.value)} placeholder={t("containers.searchHint")} />
        </form>
        <Select label={t("filter.type")} value={filters.type} onChange={set("type")}>
          {TYPES.map((v) => <option key={v} value={v}>{t(typeKey(v))}</option>)}
        </Select>
        <Select label={t("filter.status")} value={filters.status} onChange={set("status")}>
          {STATUSES.map((v) => <option key={v} value={v}>{t(statusKey(v))}</option>)}
        </Select>
        <Select label={t("filter.site")} value={filters.site_id} onChange={set("site_id")}>
          {(sites.data ?? []).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </Select>
        <Select label={t("filter.area")} value={filters.area_id} onChange={set("area_id")}>
          {(areas.data ?? []).map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
        </Select>
      </div>
      {notFound && <p role="alert" className="text-red-700 text-sm">{t("map.notFound")}</p>}
      <div className="relative">
        <div ref={element} className="h-[65vh] w-full rounded border" data-testid="map" role="region" aria-label={t("map.title")} />
        {picked && (
          <div className="card bg-base-100 absolute bottom-3 left-3 w-64 shadow" data-testid="map-card">
            <div className="card-body p-3 text-sm">
              <h2 className="font-mono font-bold">{picked.code}</h2>
              <p>{t(statusKey(picked.status))}</p>
              <p>{picked.address}</p>
              <div className="card-actions">
                <a className="link" href={`/admin/containers/${picked.id}`}>{t("map.open")}</a>
                <button type="button" className="btn btn-xs" onClick={() => setPicked(null)}>{t("common.close")}</button>
              </div>
            </div>
          </div>
        )}
      </div>
    </section>
  );
}
