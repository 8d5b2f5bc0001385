import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { manageBrowser, newPage, openApp, openPath, pathOf, screenshot, signIn as signInAs } from "./support/browser";

// Needs the `demo` user (password `demo-pass-123`), BTCUSDT 5m candles over June 2024 and a Celery
// worker next to the server, so that queued runs complete.
const USERNAME = process.env.E2E_USERNAME ?? "demo";
const PASSWORD = process.env.E2E_PASSWORD ?? "demo-pass-123";

let browser: Browser;
let page: Page;

manageBrowser(
  (launched) => (browser = launched),
  () => page,
);

/** Opens /backtests, which sends a signed-out browser to /login and back once signed in. */
async function openBacktestsSignedIn() {
  await openPath(page, "/backtests");
  await signInAs(page, USERNAME, PASSWORD);
  await page.getByTestId("run-form").waitFor();
  expect(pathOf(page)).toBe("/backtests");
}

describe("backtests", () => {
  it("navigates from the replay to the backtests page and asks to sign in", async () => {
    page = await newPage(browser);
    await openApp(page);
    await page.getByTestId("nav-backtests").click();
    await page.getByTestId("login-form").waitFor();
    expect(pathOf(page)).toBe("/login?next=%2Fbacktests");
    await page.locator('input[name="username"]').fill(USERNAME);
    await page.locator('input[name="password"]').fill("wrong-password");
    await page.getByTestId("login-submit").click();
    expect(await page.getByTestId("login-error").textContent()).toContain("Wrong username or password");
    await page.getByTestId("nav-replay").click();
    await page.getByTestId("playback").waitFor();
  });

  it("runs ema-cross on BTCUSDT and shows KPIs, equity and trades", async () => {
    page = await newPage(browser);
    await openBacktestsSignedIn();
    await page.getByTestId("strategy-select").selectOption("ema-cross");
    expect(await page.getByTestId("param-fast_period").inputValue()).toBe("12");
    expect(await page.getByTestId("param-slow_period").inputValue()).toBe("26");
    await page.getByTestId("bt-symbol").selectOption("binance:BTCUSDT");
    await page.getByTestId("bt-start").fill("2024-06-01");
    await page.getByTestId("bt-end").fill("2024-06-15");
    await page.getByTestId("bt-fee").fill("0.1");
    await page.getByTestId("bt-stop-loss").fill("2");
    await page.getByTestId("run-submit").click();

    const details = page.getByTestId("run-details");
    await details.waitFor();
    const runId = await details.getAttribute("data-run-id");
    expect(pathOf(page)).toBe(`/backtests/${runId}`);
    await page.locator('[data-testid="run-details"][data-status="done"]').waitFor({ timeout: 90_000 });

    const kpiRows = page.locator('[data-testid="kpi-table"] tr');
    expect(await kpiRows.count()).toBeGreaterThan(10);
    expect(await page.locator('[data-testid="kpi-table"] tr[data-kpi="number_of_trades"] td').textContent()).toMatch(/^\d+/);
    expect(await page.locator('[data-testid="kpi-table"] tr[data-kpi="total_return"] td').textContent()).toMatch(/%$/);

    await page.getByTestId("trades-table").waitFor();
    const tradeRows = page.locator('[data-testid="trades-table"] tbody tr');
    expect(await tradeRows.count()).toBeGreaterThan(0);
    const firstTrade = (await tradeRows.first().textContent()) ?? "";
    expect(firstTrade).toMatch(/long|short/);
    expect(firstTrade).toContain("2024-06-");

    await page.waitForFunction(() => (window.__equityChart?.equityPoints() ?? 0) > 10);
    const counts = await page.evaluate(() => ({
      equity: window.__equityChart!.equityPoints(),
      drawdown: window.__equityChart!.drawdownPoints(),
    }));
    expect(counts.drawdown).toBe(counts.equity);

    // The new run heads the list (newest first).
    await page.locator(`[data-testid="runs-list-row"][data-run-id="${runId}"]`).waitFor();
    expect(await page.getByTestId("runs-list-row").first().getAttribute("data-run-id")).toBe(runId);
    await screenshot(page, "20-backtest-run");
  });

  it("shows the API's field errors next to the fields", async () => {
    page = await newPage(browser);
    // The session cookie is per browser context: sign in again.
    await openBacktestsSignedIn();
    await page.getByTestId("strategy-select").selectOption("ema-cross");
    await page.getByTestId("bt-start").fill("2024-06-15");
    await page.getByTestId("bt-end").fill("2024-06-01");
    await page.getByTestId("run-submit").click();
    const error = page.locator('[data-testid="bt-end"] ~ [data-testid="field-error"]');
    await error.waitFor();
    expect(await error.textContent()).toContain("after start");
  });
});

describe("replay", () => {
  it("replays a finished run over the WebSocket with pause, resume and max speed", async () => {
    page = await newPage(browser);
    await openBacktestsSignedIn();
    await page.getByTestId("strategy-select").selectOption("ema-cross");
    await page.getByTestId("bt-symbol").selectOption("binance:BTCUSDT");
    await page.getByTestId("bt-start").fill("2024-06-01");
    await page.getByTestId("bt-end").fill("2024-06-04");
    await page.getByTestId("run-submit").click();
    await page.locator('[data-testid="run-details"][data-status="done"]').waitFor({ timeout: 90_000 });

    await page.getByTestId("replay-open").click();
    const panel = page.getByTestId("replay-panel");
    await page.locator('[data-testid="replay-panel"][data-connection="open"]').waitFor();
    const attr = async (name: string) => Number(await panel.getAttribute(name));
    await page.getByTestId("replay-speed").selectOption("100");
    await page.locator('[data-testid="replay-panel"][data-speed="100"]').waitFor();
    await page.waitForFunction(() => (window.__replayChart?.markers() ?? 0) >= 1, undefined, { timeout: 30_000 });
    expect(await page.evaluate(() => window.__replayChart!.candles())).toBeGreaterThan(0);
    expect(await page.getByTestId("replay-equity").textContent()).toMatch(/\d/);

    await page.getByTestId("replay-pause").click();
    await page.locator('[data-testid="replay-panel"][data-phase="paused"]').waitFor();
    const pausedAt = await page.evaluate(() => window.__replayChart!.candles());
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => window.__replayChart!.candles())).toBe(pausedAt);

    await page.getByTestId("replay-resume").click();
    await page.locator('[data-testid="replay-panel"][data-phase="playing"]').waitFor();
    await page.waitForFunction((n) => (window.__replayChart?.candles() ?? 0) > n, pausedAt);

    await page.getByTestId("replay-speed").selectOption("max");
    await page.locator('[data-testid="replay-panel"][data-phase="end"]').waitFor({ timeout: 30_000 });
    const total = await attr("data-total");
    expect(total).toBeGreaterThan(0);
    expect(await attr("data-index")).toBe(total);
    expect(await page.evaluate(() => window.__replayChart!.candles())).toBe(total);
    expect(await page.getByTestId("replay-closed").count()).toBe(0);
    await page.getByTestId("replay-chart").evaluate((el) => el.scrollIntoView({ block: "end" }));
    await screenshot(page, "22-backtest-replay");
  });
});

describe("sweeps", () => {
  it("queues a sweep and sorts its table by a KPI", async () => {
    page = await newPage(browser);
    await openBacktestsSignedIn();
    await page.getByTestId("mode-sweep").click();
    await page.getByTestId("strategy-select").selectOption("ema-cross");
    await page.getByTestId("param-fast_period").fill("6, 12");
    await page.getByTestId("param-slow_period").fill("26, 48");
    await page.getByTestId("bt-start").fill("2024-06-01");
    await page.getByTestId("bt-end").fill("2024-06-08");
    await page.getByTestId("run-submit").click();
    await page.locator('[data-testid="sweep-view"][data-status="done"]').waitFor({ timeout: 90_000 });
    expect(await page.getByTestId("sweep-row").count()).toBe(4);
    expect(await page.getByTestId("sweep-table").getAttribute("data-order")).toBe("-sharpe");
    await page.getByTestId("sort-total_return").click();
    await page.locator('[data-testid="sweep-table"][data-order="-total_return"]').waitFor();
    const returns = await page
      .locator('[data-testid="sweep-row"] td:nth-child(5)')
      .allTextContents()
      .then((texts) => texts.map((t) => Number.parseFloat(t.replace(/[,%]/g, ""))));
    expect(returns).toEqual([...returns].sort((a, b) => b - a));
    // "Your runs" shows the new sweep as one entry, finished: 4 runs and the best return.
    const sweepId = pathOf(page).split("/").at(-1);
    const entry = page.locator(`[data-testid="runs-list-sweep"][data-sweep-id="${sweepId}"]`);
    await entry.filter({ hasText: "best" }).waitFor();
    expect(await entry.textContent()).toContain("4 runs");
    await screenshot(page, "21-backtest-sweep");
  });
});
