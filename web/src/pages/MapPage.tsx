// The map of containers (loaded lazily with MapLibre): vector tiles from the API coloured
// by status (merged points at low zoom, sized by their count), filters, areas as
// polygons, a card on click, search by code or address.
import maplibregl, { type GeoJSONSource, type VectorTileSource } from "maplibre-gl";
import "maplibre-gl/dist/maplibre-gl.css";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { api, unwrap } from "../api/client";
import { accessToken } from "../api/session";
import { useI18n } from "../i18n";
import { mapStyle } from "../map/style";
import { Select } from "./Containers";
import { useAreas, useSites } from "./lookups";
import { STATUSES, TYPES, statusKey, typeKey } from "./options";

const COLOURS = ["match", ["get", "status"], "active", "#16a34a", "full", "#d97706", "damaged", "#dc2626", "maintenance", "#2563eb", "#6b7280"];
const EMPTY: GeoJSON.FeatureCollection = { type: "FeatureCollection", features: [] };

const TILES = "/api/v1/tiles/containers/";

function tileUrl(filters: Record<string, string>): string {
  const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v)).toString();
  return `${window.location.origin}${TILES}{z}/{x}/{y}.mvt${query ? `?${query}` : ""}`;
}

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
    const m = new maplibregl.Map({
      container: element.current,
      style: mapStyle(),
      center: [4.8357, 45.764],
      zoom: 11,
      // Tiles need the bearer token, read afresh for each request (it is renewed silently).
      transformRequest: (url) => {
        const token = accessToken();
        return url.includes(TILES) && token ? { url, headers: { authorization: `Bearer ${token}` } } : { url };
      },
    });
    m.addControl(new maplibregl.NavigationControl(), "top-right");
    m.on("load", () => {
      m.addSource("areas", { type: "geojson", data: EMPTY });
      m.addLayer({ id: "areas-fill", type: "fill", source: "areas", paint: { "fill-color": "#0ea5e9", "fill-opacity": 0.08 } });
      m.addLayer({ id: "areas-line", type: "line", source: "areas", paint: { "line-color": "#0284c7", "line-width": 1.5 } });
      m.addSource("containers", { type: "vector", tiles: [tileUrl({})], maxzoom: 16 });
      m.addLayer({
        id: "containers",
        type: "circle",
        source: "containers",
        "source-layer": "containers",
        paint: {
          "circle-radius": ["interpolate", ["linear"], ["get", "count"], 1, 6, 50, 12, 1000, 20],
          "circle-color": COLOURS as never,
          "circle-stroke-color": "#fff",
          "circle-stroke-width": 1.5,
        },
      });
      m.on("click", "containers", (e) => {
        const p = e.features?.[0]?.properties;
        if (!p) return;
        // A merged point: zoom in towards its containers.
        if (!p.id) return void m.easeTo({ center: e.lngLat, zoom: m.getZoom() + 2 });
        setPicked({ id: String(p.id), code: String(p.code ?? ""), status: String(p.status ?? ""), address: "" });
      });
      // How many containers are drawn (for people using a screen reader, and the tests).
      m.on("movestart", () => (m.getCanvas().dataset.idle = "false"));
      m.on("idle", () => {
        m.getCanvas().dataset.idle = "true";
        const seen = new Map<string, number>();
        m.querySourceFeatures("containers", { sourceLayer: "containers" }).forEach((f, i) =>
          seen.set(String(f.properties.id ?? `cell-${i}`), Number(f.properties.count ?? 1)),
        );
        m.getCanvas().dataset.count = String([...seen.values()].reduce((a, b) => a + b, 0));
      });
      m.on("mouseenter", "containers", () => (m.getCanvas().style.cursor = "pointer"));
      m.on("mouseleave", "containers", () => (m.getCanvas().style.cursor = ""));
      setReady(true);
    });
    map.current = m;
    return () => m.remove();
  }, []);

  // New filters: new tile URLs (the API filters the tiles).
  useEffect(() => {
    const m = map.current;
    if (!m || !ready) return;
    (m.getSource("containers") as VectorTileSource | undefined)?.setTiles([tileUrl(filters)]);
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
