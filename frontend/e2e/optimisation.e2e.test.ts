import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { BASE_URL } from "./support/env";
import { manageBrowser, newPage, openPath, pathOf, screenshot, signIn } from "./support/browser";

// A small grid study and a walk-forward, each to the end, on the platform tests/e2e/test_browser.py
// starts (the `demo` user, real BTCUSDT candles, one Celery worker).
const USERNAME = process.env.E2E_USERNAME ?? "demo";
const PASSWORD = process.env.E2E_PASSWORD ?? "demo-pass-123";
const DONE_TIMEOUT = 120_000; // ms: the worker runs every trial

let browser: Browser;
let page: Page;
manageBrowser(
  (launched) => (browser = launched),
  () => page,
);

async function openSignedIn() {
  await openPath(page, "/optimisation");
  await signIn(page, USERNAME, PASSWORD);
  await page.getByTestId("study-form").waitFor();
  expect(pathOf(page)).toBe("/optimisation");
}

/** Search sma_period over {100, 200} only, on a grid, from `start` to `end`. */
async function fillGrid(start: string, end: string) {
  await page.getByTestId("opt-strategy").selectOption("hma-sma");
  await page.getByTestId("opt-symbol").selectOption("binance:BTCUSDT");
  await page.getByTestId("range-hma_period-searched").uncheck();
  await page.getByTestId("range-sma_period-low").fill("100");
  await page.getByTestId("range-sma_period-high").fill("200");
  await page.getByTestId("range-sma_period-step").fill("100");
  await page.getByTestId("opt-sampler").selectOption("grid");
  await page.getByTestId("opt-min-trades").fill("0");
  await page.getByTestId("opt-start").fill(start);
  await page.getByTestId("opt-end").fill(end);
}

describe("optimisation", () => {
  it("runs a grid study to the end: trials sorted by a KPI, the scatter, the diagnostics in words", async () => {
    page = await newPage(browser);
    await page.setViewportSize({ width: 1280, height: 800 });
    await openSignedIn();
    await fillGrid("2024-06-01", "2024-06-08");
    // A range outside the parameter's bounds is refused under its row, before any request.
    await page.getByTestId("range-sma_period-low").fill("1");
    await page.getByTestId("opt-submit").click();
    expect(await page.getByTestId("field-error").first().textContent()).toBe("low must be at least 2");
    await page.getByTestId("range-sma_period-low").fill("100");
    await page.getByTestId("opt-submit").click();

    await page.getByTestId("study-view").waitFor();
    expect(pathOf(page)).toMatch(/^\/optimisation\/studies\/\d+$/);
    const view = page.locator('[data-testid="study-view"][data-status="done"]');
    await view.waitFor({ timeout: DONE_TIMEOUT });
    expect(await page.getByTestId("study-progress").textContent()).toContain("2 / 2 trials");
    // The progress came over /ws/backtests/ (the platform's channel layer is Redis), not polls.
    expect(await page.evaluate(() => window.__studyEvents?.pushing())).toBe(true);
    expect(await page.evaluate(() => window.__studyEvents?.received() ?? 0)).toBeGreaterThan(0);
    await page.locator('[data-testid="trial-row"]').nth(1).waitFor();
    expect(await page.getByTestId("trial-row").count()).toBe(2);
    await page.locator('[data-testid="scatter-sma_period"][data-points="2"]').waitFor();
    // Either sentence, by the sign of the best Sharpe (real data decides).
    expect(await page.getByTestId("dsr-sentence").textContent()).toMatch(
      /^With 2 trials, (a Sharpe of \d+\.\d\d in-sample is what chance alone would give \d+% of the time|the best Sharpe in-sample \(-\d+\.\d\d\) is not above zero: there is no edge for chance to explain)\./,
    );

    // Sorting by trades: server order, descending then ascending.
    await page.getByTestId("sort-number_of_trades").click();
    await page.locator('[data-testid="trials-table"][data-ordering="-number_of_trades"]').waitFor();
    const trades = async () => (await page.locator('td[data-kpi="number_of_trades"]').allTextContents()).map(Number);
    await expect.poll(trades).toEqual([...(await trades())].sort((a, b) => b - a));
    await page.getByTestId("sort-number_of_trades").click();
    await page.locator('[data-testid="trials-table"][data-ordering="number_of_trades"]').waitFor();
    await expect.poll(trades).toEqual([...(await trades())].sort((a, b) => a - b));
    await page.getByTestId("study-importance").waitFor();
    await screenshot(page, "optimisation-study-1280");
    const studyPath = pathOf(page);
    const best = (await page.getByTestId("study-progress").textContent())?.match(/sma_period=(\d+)/)?.[1];

    // One click: a paper bot with the best parameters, started, its page open.
    await page.getByTestId("study-paper-bot").click();
    await page.waitForURL(/\/bots\/\d+$/);
    const botId = pathOf(page).split("/").at(-1);
    const bot = (await (await page.request.get(`${BASE_URL}/api/execution/bots/${botId}/`)).json()) as { mode: string; status: string; params: Record<string, number> };
    expect(bot.mode).toBe("paper");
    expect(bot.status).toBe("running");
    expect(String(bot.params.sma_period)).toBe(best);
    // Stopped and deleted again: the Bots scenario starts from no bot.
    const csrf = (await page.context().cookies()).find((c) => c.name === "csrftoken")?.value ?? "";
    const headers = { "X-CSRFToken": csrf };
    expect((await page.request.post(`${BASE_URL}/api/execution/bots/${botId}/stop/`, { headers, data: { close_position: true } })).status()).toBe(200);
    expect((await page.request.delete(`${BASE_URL}/api/execution/bots/${botId}/`, { headers })).status()).toBe(204);

    // A phone opening the study's link: the study first, the form below it.
    await page.setViewportSize({ width: 390, height: 844 });
    await openPath(page, studyPath);
    await page.locator('[data-testid="study-view"][data-status="done"]').waitFor();
    await page.locator('[data-testid="scatter-sma_period"][data-points="2"]').waitFor();
    await page.getByTestId("study-importance").waitFor();
    await screenshot(page, "optimisation-study-390");
  });

  it("runs a walk-forward to the end: windows, stitched out-of-sample curve, efficiency", async () => {
    page = await newPage(browser);
    await page.setViewportSize({ width: 1280, height: 800 });
    await openSignedIn();
    await page.getByTestId("kind-walk-forward").click();
    await fillGrid("2024-06-01", "2024-06-15");
    // Windows longer than the data: the server's 400 under the in-sample field.
    await page.getByTestId("opt-in-sample").fill("30");
    await page.getByTestId("opt-out-of-sample").fill("3");
    await page.getByTestId("opt-submit").click();
    expect(await page.getByTestId("field-error").first().textContent()).toContain("longer than the data");
    // In-sample 6 days, out-of-sample (and step) 3: June 1-7 -> 7-10, 4-10 -> 10-13; a third
    // would end on the 16th, past the span.
    await page.getByTestId("opt-in-sample").fill("6");
    await page.getByTestId("opt-submit").click();

    await page.getByTestId("walk-forward-view").waitFor();
    expect(pathOf(page)).toMatch(/^\/optimisation\/walk-forwards\/\d+$/);
    expect(await page.getByTestId("window-row").count()).toBe(2);
    expect((await page.getByTestId("window-row").allTextContents())[0]).toContain("2024-06-01 → 2024-06-07→ 2024-06-10");
    await page.locator('[data-testid="walk-forward-view"][data-status="done"]').waitFor({ timeout: DONE_TIMEOUT });
    const chart = page.getByTestId("oos-chart");
    await chart.waitFor();
    const points = Number(await chart.getAttribute("data-points"));
    expect(points).toBeGreaterThan(100);
    await page.locator(`[data-testid="oos-chart"][data-drawn="${points}"]`).waitFor();
    expect(await page.getByTestId("walk-forward-efficiency").textContent()).toContain("Walk-forward efficiency:");
    expect(await page.getByTestId("walk-forward-stability").textContent()).toMatch(/sma_period (100|200) → (100|200)/);
    await screenshot(page, "optimisation-walk-forward-1280");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.locator('[data-testid="walk-forward-view"][data-status="done"]').waitFor();
    await page.locator(`[data-testid="oos-chart"][data-drawn="${points}"]`).waitFor();
    await screenshot(page, "optimisation-walk-forward-390");
  });
});
