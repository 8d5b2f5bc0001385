import { defineConfig } from "vitest/config";

// End-to-end tests drive a real headless Chromium (playwright-core) against a running platform
// (E2E_BASE_URL). One browser page at a time: they share the server and measure timings.
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.test.ts"],
    environment: "node",
    globalSetup: ["e2e/support/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    maxWorkers: 1,
    sequence: { concurrent: false },
  },
});
