// Draws and edits an area's boundary on the map (terra-draw; loads with the map library).
// The boundary's polygons become editable features; "draw" starts a new outline, which
// closes on its first point or with Enter.
import maplibregl from "maplibre-gl";
import "maplibre-gl/dist/maplibre-gl.css";
import { useEffect, useRef } from "react";
import { TerraDraw, TerraDrawPolygonMode, TerraDrawSelectMode, type GeoJSONStoreFeatures } from "terra-draw";
import { TerraDrawMapLibreGLAdapter } from "terra-draw-maplibre-gl-adapter";
import { useI18n } from "../i18n";
import { mapStyle } from "./style";

export type Rings = number[][][];

export interface AreaEditorHandle {
  draw: () => void;
  clear: () => void;
  polygons: () => Rings[];
}

function bounds(polygons: Rings[]): maplibregl.LngLatBounds | null {
  const points = polygons.flat(2);
  if (!points.length) return null;
  const b = new maplibregl.LngLatBounds();
  points.forEach(([lon, lat]) => b.extend([lon!, lat!]));
  return b;
}

export default function AreaEditor({ initial, onReady }: { initial: Rings[]; onReady: (handle: AreaEditorHandle) => void }) {
  const { t } = useI18n();
  const element = useRef<HTMLDivElement>(null);
  const start = useRef({ initial, onReady });

  useEffect(() => {
    if (!element.current) return;
    const { initial: polygons, onReady: ready } = start.current;
    const fit = bounds(polygons);
    const map = new maplibregl.Map({ container: element.current, style: mapStyle(), center: [4.8357, 45.764], zoom: 12 });
    if (fit) map.fitBounds(fit, { padding: 40, duration: 0 });
    map.on("load", () => {
      const draw = new TerraDraw({
        adapter: new TerraDrawMapLibreGLAdapter({ map }),
        modes: [
          new TerraDrawPolygonMode(),
          new TerraDrawSelectMode({
            flags: { polygon: { feature: { draggable: true, coordinates: { draggable: true, midpoints: true, deletable: true } } } },
          }),
        ],
      });
      draw.start();
      draw.addFeatures(
        polygons.map((rings) => ({
          type: "Feature",
          properties: { mode: "polygon" },
          geometry: { type: "Polygon", coordinates: rings },
        })) as GeoJSONStoreFeatures[],
      );
      draw.setMode("select");
      ready({
        draw: () => {
          draw.clear();
          draw.setMode("polygon");
        },
        clear: () => draw.clear(),
        polygons: () =>
          draw
            .getSnapshot()
            .filter((f) => f.geometry.type === "Polygon")
            .map((f) => f.geometry.coordinates as Rings),
      });
      element.current?.setAttribute("data-ready", "true");
    });
    return () => map.remove();
  }, []);

  return <div ref={element} className="h-[60vh] w-full rounded border" role="application" aria-label={t("area.map")} data-testid="area-map" />;
}
