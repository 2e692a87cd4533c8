// The tours' map (loaded lazily with MapLibre): stops coloured by outcome and numbered,
// the route line as the API draws it, and, when asked, a lasso (terra-draw freehand) whose
// polygon is handed back to add the containers inside it.
import maplibregl, { type GeoJSONSource } from "maplibre-gl";
import "maplibre-gl/dist/maplibre-gl.css";
import { useEffect, useRef } from "react";
import { TerraDraw, TerraDrawFreehandMode } from "terra-draw";
import { TerraDrawMapLibreGLAdapter } from "terra-draw-maplibre-gl-adapter";
import { mapStyle } from "../../map/style";

const EMPTY: GeoJSON.FeatureCollection = { type: "FeatureCollection", features: [] };

interface Props {
  points: GeoJSON.FeatureCollection;
  line?: GeoJSON.Geometry | null;
  label: string;
  lasso?: boolean;
  onLasso?: (polygon: GeoJSON.Polygon) => void;
}

export default function TourMap({ points, line, label, lasso, onLasso }: Props) {
  const element = useRef<HTMLDivElement>(null);
  const map = useRef<maplibregl.Map | null>(null);
  const draw = useRef<TerraDraw | null>(null);
  const callback = useRef(onLasso);
  const fitted = useRef(false);
  useEffect(() => {
    callback.current = onLasso;
  });

  useEffect(() => {
    if (!element.current) return;
    const m = new maplibregl.Map({ container: element.current, style: mapStyle(), center: [4.8357, 45.764], zoom: 11 });
    m.addControl(new maplibregl.NavigationControl(), "top-right");
    m.on("load", () => {
      m.addSource("route", { type: "geojson", data: EMPTY });
      m.addSource("stops", { type: "geojson", data: EMPTY });
      m.addLayer({ id: "route", type: "line", source: "route", paint: { "line-color": "#1d4ed8", "line-width": 3 } });
      m.addLayer({
        id: "stops",
        type: "circle",
        source: "stops",
        paint: {
          "circle-radius": 8,
          "circle-color": ["match", ["get", "outcome"], "visited", "#15803d", "skipped", "#b45309", "#1f2937"],
          "circle-stroke-color": "#fff",
          "circle-stroke-width": 1.5,
        },
      });
      const terra = new TerraDraw({ adapter: new TerraDrawMapLibreGLAdapter({ map: m }), modes: [new TerraDrawFreehandMode()] });
      terra.start();
      terra.on("finish", (id) => {
        const feature = terra.getSnapshot().find((f) => f.id === id);
        if (feature?.geometry.type === "Polygon") callback.current?.(feature.geometry as GeoJSON.Polygon);
        terra.clear();
      });
      draw.current = terra;
      map.current = m;
      element.current?.setAttribute("data-ready", "true");
      m.fire("tours-ready");
    });
    return () => {
      map.current = null;
      m.remove();
    };
  }, []);

  useEffect(() => {
    const terra = draw.current;
    if (!terra) return;
    terra.setMode(lasso ? "freehand" : "static");
  }, [lasso]);

  useEffect(() => {
    const m = map.current;
    const apply = () => {
      const mm = map.current;
      if (!mm) return;
      (mm.getSource("stops") as GeoJSONSource | undefined)?.setData(points);
      (mm.getSource("route") as GeoJSONSource | undefined)?.setData(line ? { type: "Feature", geometry: line, properties: {} } : EMPTY);
      const coords = points.features.flatMap((f) => (f.geometry.type === "Point" ? [f.geometry.coordinates as [number, number]] : []));
      if (!fitted.current && coords.length > 0) {
        fitted.current = true;
        const bounds = coords.reduce((b, c) => b.extend(c), new maplibregl.LngLatBounds(coords[0], coords[0]));
        mm.fitBounds(bounds, { padding: 40, maxZoom: 15, duration: 0 });
      }
      element.current?.setAttribute("data-count", String(coords.length));
    };
    if (m) apply();
    else {
      const timer = setInterval(() => {
        if (map.current) {
          clearInterval(timer);
          apply();
        }
      }, 100);
      return () => clearInterval(timer);
    }
  }, [points, line]);

  return <div ref={element} className="h-[50vh] w-full rounded border" role="application" aria-label={label} data-testid="tour-map" />;
}
