import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { manageBrowser, newPage, openApp, screenshot } from "./support/browser";
import { primarySymbol, storedTimeframes } from "./support/data";
import { TIMEFRAMES } from "../src/lib/api-types";

let browser: Browser;
let page: Page;

manageBrowser(
  (launched) => (browser = launched),
  () => page,
);

async function errorMessage() {
  const message = page.getByTestId("error-message");
  await message.waitFor();
  return { kind: await message.getAttribute("data-kind"), text: (await message.textContent()) ?? "" };
}

describe("error states", () => {
  it("explains an unknown symbol", async () => {
    page = await newPage(browser);
    await openApp(page, { symbol: "NOPEUSDT" });
    const { kind, text } = await errorMessage();
    expect(kind).toBe("not-found");
    expect(text).toContain("Unknown symbol NOPEUSDT");
    expect(text).toContain("python manage.py fetch_ohlcv NOPEUSDT");
    expect(await page.getByTestId("symbol-select").inputValue()).toBe("NOPEUSDT");
    expect(await page.evaluate(() => window.__chart)).toBeUndefined();
    await screenshot(page, "10-error-unknown-symbol");
  });

  it("shows the backend's fetch command when a timeframe has no candles", async () => {
    const symbol = await primarySymbol();
    const missing = TIMEFRAMES.find((tf) => !storedTimeframes(symbol).includes(tf));
    expect(missing).toBeDefined();
    page = await newPage(browser);
    await openApp(page, { symbol: symbol.name, timeframe: missing! });
    const { kind, text } = await errorMessage();
    expect(kind).toBe("not-found");
    expect(text).toContain(`python manage.py fetch_ohlcv ${symbol.name} ${missing}`);
    // The symbols list may arrive after the run's 404: wait for it to mark the timeframe.
    await page
      .locator(`[data-testid="timeframe-select"] option[value="${missing}"]`, { hasText: "no data" })
      .waitFor({ state: "attached" });
    await screenshot(page, "11-error-no-data");
  });

  it("says what to do when the API does not answer", async () => {
    page = await newPage(browser);
    await page.route("**/api/**", (route) => route.abort("connectionrefused"));
    await openApp(page, { symbol: "BTCUSDT", timeframe: "1h" });
    const { kind, text } = await errorMessage();
    expect(kind).toBe("unreachable");
    expect(text).toContain("make run");
    await screenshot(page, "12-error-unreachable");
  });

  it("names the field the API rejected", async () => {
    const symbol = await primarySymbol();
    page = await newPage(browser);
    await openApp(page, { symbol: symbol.name, timeframe: "1h", start: "not-a-date" });
    const { kind, text } = await errorMessage();
    expect(kind).toBe("bad-request");
    expect(text).toContain("start");
  });
});
