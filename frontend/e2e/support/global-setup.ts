import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ARTIFACTS_DIR, BASE_URL, CHROMIUM_PATH } from "./env";

// Fail once, early, with what to do, instead of every test timing out.
export default async function setup() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}. Install Debian's (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  }
  for (const path of ["/", "/api/datafeeds/symbols/"]) {
    let status: number | string;
    try {
      status = (await fetch(`${BASE_URL}${path}`)).status;
    } catch (error) {
      status = String((error as Error).cause ?? error);
    }
    if (status !== 200) {
      throw new Error(
        `${BASE_URL}${path} answered ${status}. Start the platform serving the built app (make run), ` +
          "or `npm run build && API_PROXY_TARGET=http://127.0.0.1:8001 npx vite preview` and set E2E_BASE_URL=http://127.0.0.1:4173.",
      );
    }
  }
  mkdirSync(fileURLToPath(ARTIFACTS_DIR), { recursive: true });
}
