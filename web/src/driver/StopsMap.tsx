// The tour's stops on a map (loaded only when opened): numbered points coloured by
// outcome and the route line in visiting order. Uses the app's plain style, so it draws
// offline too (no basemap tiles).
import maplibregl from "maplibre-gl";
import "maplibre-gl/dist/maplibre-gl.css";
import { useEffect, useRef } from "react";
import { useI18n } from "../i18n";
import { mapStyle } from "../map/style";
import { outcomeOf, type Stop, type Tour } from "./types";

function features(stops: Stop[], depot: Tour["depot"]): GeoJSON.FeatureCollection {
  const located = stops.filter((s) => s.location);
  const line = [...(depot ? [depot] : []), ...located.map((s) => s.location!)].map((l) => [l.longitude, l.latitude]);
  return {
    type: "FeatureCollection",
    features: [
      ...(line.length > 1 ? [{ type: "Feature" as const, geometry: { type: "LineString" as const, coordinates: line }, properties: { kind: "route" } }] : []),
      ...located.map((s) => ({
        type: "Feature" as const,
        geometry: { type: "Point" as const, coordinates: [s.location!.longitude, s.location!.latitude] },
        properties: { kind: "stop", label: String(s.position), outcome: outcomeOf(s).outcome },
      })),
    ],
  };
}

export default function StopsMap({ stops, depot }: { stops: Stop[]; depot: Tour["depot"] }) {
  const { t } = useI18n();
  const element = useRef<HTMLDivElement>(null);
  const map = useRef<maplibregl.Map | null>(null);
  const data = features(stops, depot);

  useEffect(() => {
    if (!element.current) return;
    const m = new maplibregl.Map({ container: element.current, style: mapStyle(), center: [4.8357, 45.764], zoom: 11, attributionControl: false });
    map.current = m;
    m.on("load", () => {
      m.addSource("tour", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
      m.addLayer({ id: "route", type: "line", source: "tour", filter: ["==", ["get", "kind"], "route"], paint: { "line-color": "#1d4ed8", "line-width": 4 } });
      m.addLayer({
        id: "stops",
        type: "circle",
        source: "tour",
        filter: ["==", ["get", "kind"], "stop"],
        paint: {
          "circle-radius": 12,
          "circle-color": ["match", ["get", "outcome"], "visited", "#15803d", "skipped", "#b45309", "#111827"],
          "circle-stroke-color": "#fff",
          "circle-stroke-width": 2,
        },
      });
      m.fire("tour-ready");
    });
    return () => m.remove();
  }, []);

  useEffect(() => {
    const m = map.current;
    if (!m) return;
    const draw = () => {
      (m.getSource("tour") as maplibregl.GeoJSONSource | undefined)?.setData(data);
      const points = data.features.flatMap((f) => (f.geometry.type === "Point" ? [f.geometry.coordinates as [number, number]] : []));
      if (points.length > 0) {
        const bounds = points.reduce((b, p) => b.extend(p), new maplibregl.LngLatBounds(points[0], points[0]));
        m.fitBounds(bounds, { padding: 40, maxZoom: 16, duration: 0 });
      }
    };
    if (m.getSource("tour")) draw();
    else m.once("tour-ready", draw);
  }, [data]);

  return (
    <div>
      <div ref={element} data-testid="stops-map" className="h-[60vh] w-full rounded-lg border-2 border-black" role="application" aria-label={t("driver.mapLabel", { n: stops.length })} />
    </div>
  );
}
