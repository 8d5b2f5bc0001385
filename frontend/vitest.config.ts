import { defineConfig } from "vitest/config";

// Unit tests: pure modules only (playback state machine, data transforms), so plain Node is enough.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
