// The drivers' app: a second build of this project into dist/driver/, served by
// tisseco-api at /driver/ (after the console's build, which empties dist/). Installable
// (web manifest, icons) with a service worker that precaches every file of this build, so
// the app opens with no network; data lives in IndexedDB (src/driver/store.ts).
import { defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";
import { VitePWA } from "vite-plugin-pwa";

// Rollup names the page after its source (driver.html); the API serves index.html.
const asIndex: Plugin = {
  name: "driver-html-as-index",
  enforce: "post",
  generateBundle(_, bundle) {
    const page = bundle["driver.html"];
    if (page) page.fileName = "index.html";
  },
};

export default defineConfig({
  base: "/driver/",
  publicDir: "public-driver",
  plugins: [
    react(),
    tailwindcss(),
    asIndex,
    VitePWA({
      registerType: "autoUpdate",
      injectRegister: "script",
      scope: "/driver/",
      manifest: {
        id: "/driver/",
        name: "Tisseco Chauffeur",
        short_name: "Tisseco",
        description: "Les tournées du jour, arrêt par arrêt, même sans réseau.",
        lang: "fr",
        start_url: "/driver/",
        scope: "/driver/",
        display: "standalone",
        orientation: "portrait",
        background_color: "#ffffff",
        theme_color: "#14532d",
        icons: [
          { src: "icon-192.png", sizes: "192x192", type: "image/png" },
          { src: "icon-512.png", sizes: "512x512", type: "image/png" },
          { src: "icon-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      workbox: {
        globPatterns: ["**/*.{js,css,html,png,svg,webmanifest}"],
        // MapLibre's chunk is large; it is precached too so that the map opens offline.
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        navigateFallback: "/driver/index.html",
        navigateFallbackAllowlist: [/^\/driver\//],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
      },
    }),
  ],
  build: {
    target: "es2022",
    sourcemap: false,
    outDir: "dist/driver",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    rollupOptions: { input: "driver.html" },
  },
});
