// Where the e2e tests find the platform and the browser. Only relative URLs are used from the base,
// so the same tests run against `vite preview` (with its /api proxy) or Django serving the build.
export const BASE_URL = (process.env.E2E_BASE_URL ?? "http://127.0.0.1:8001").replace(/\/$/, "");
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ARTIFACTS_DIR = new URL("../../test-artifacts/", import.meta.url);
