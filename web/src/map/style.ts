// The map's style. VITE_MAP_STYLE_URL (at build time) names a basemap style; the default
// needs no outside server (tests and offline use): a plain background, the API's own
// layers drawn on top.
import type { StyleSpecification } from "maplibre-gl";

export const BLANK_STYLE: StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: "background", type: "background", paint: { "background-color": "#eef2f0" } }],
};

export function mapStyle(): string | StyleSpecification {
  const url = import.meta.env.VITE_MAP_STYLE_URL as string | undefined;
  return url ? url : BLANK_STYLE;
}
