import { defineConfig } from "vitest/config";

// End-to-end tests drive a real headless Chromium (playwright-core) against a running platform
// (E2E_BASE_URL). One browser page at a time: they share the server and measure timings.
// E2E_SUITE=first-hour runs e2e/first-hour/ instead: a newcomer's demo platform (simulated
// market, worker and beat; tests/e2e/test_first_hour.py), not the scenarios' real candles.
export default defineConfig({
  test: {
    include: process.env.E2E_SUITE === "first-hour" ? ["e2e/first-hour/*.e2e.test.ts"] : ["e2e/*.e2e.test.ts"],
    environment: "node",
    globalSetup: ["e2e/support/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // expect.poll waits for a condition (never for a fixed time): 1 s, Vitest's default, is too
    // short for a loaded machine (make test runs the browser next to two other test processes).
    expect: { poll: { timeout: 20_000, interval: 50 } },
    fileParallelism: false,
    maxWorkers: 1,
    sequence: { concurrent: false },
  },
});
