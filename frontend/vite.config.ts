import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// Where `/api` and `/ws` go in `npm run dev` and `vite preview`. Django's `make run` listens on 8000;
// point it elsewhere (e.g. a second server on 8001) with API_PROXY_TARGET.
const API_PROXY_TARGET = process.env.API_PROXY_TARGET ?? "http://localhost:8000";
// WebSockets too: backtest progress (/ws/backtests/) and replay.
const apiProxy = {
  "/api": { target: API_PROXY_TARGET, changeOrigin: true },
  "/ws": { target: API_PROXY_TARGET, changeOrigin: true, ws: true },
};

export default defineConfig({
  // Django serves dist/index.html at "/" and dist/assets/* at "/assets/*".
  base: "/",
  plugins: [react()],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  server: { port: 5173, strictPort: true, proxy: apiProxy },
  preview: { port: 4173, strictPort: true, proxy: apiProxy },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
});
