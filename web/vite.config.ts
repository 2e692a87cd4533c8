import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";

// Served by tisseco-api at /admin/ (CONSOLE_DIR=web/dist). `npm run dev` proxies the API.
export default defineConfig({
  base: "/admin/",
  plugins: [react(), tailwindcss()],
  build: { target: "es2022", sourcemap: false, chunkSizeWarningLimit: 1200 },
  server: {
    proxy: {
      "/api": process.env.TISSECO_API ?? "http://127.0.0.1:8080",
    },
  },
});
