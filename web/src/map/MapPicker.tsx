// A draggable marker for a container's position (the map library loads with this file).
import maplibregl from "maplibre-gl";
import "maplibre-gl/dist/maplibre-gl.css";
import { useEffect, useRef } from "react";
import { useI18n } from "../i18n";
import { mapStyle } from "./style";

export default function MapPicker({
  latitude,
  longitude,
  onChange,
}: {
  latitude: number;
  longitude: number;
  onChange: (lat: number, lon: number) => void;
}) {
  const { t } = useI18n();
  const element = useRef<HTMLDivElement>(null);
  const marker = useRef<maplibregl.Marker | null>(null);
  const changed = useRef(onChange);
  useEffect(() => {
    changed.current = onChange;
  }, [onChange]);

  useEffect(() => {
    if (!element.current) return;
    const map = new maplibregl.Map({ container: element.current, style: mapStyle(), center: [longitude, latitude], zoom: 14 });
    const m = new maplibregl.Marker({ draggable: true }).setLngLat([longitude, latitude]).addTo(map);
    m.on("dragend", () => {
      const p = m.getLngLat();
      changed.current(p.lat, p.lng);
    });
    map.on("click", (e) => {
      m.setLngLat(e.lngLat);
      changed.current(e.lngLat.lat, e.lngLat.lng);
    });
    marker.current = m;
    return () => map.remove();
    // The map is made once; later positions move the marker (below).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    if (Number.isFinite(latitude) && Number.isFinite(longitude)) marker.current?.setLngLat([longitude, latitude]);
  }, [latitude, longitude]);

  return <div ref={element} className="h-64 w-full rounded border" role="application" aria-label={t("form.mapPicker")} data-testid="map-picker" />;
}
