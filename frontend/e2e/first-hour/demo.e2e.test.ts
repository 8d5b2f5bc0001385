// A newcomer's first hour on the demo, against the platform as `make run` starts it: the
// simulated demo market only (`load_demo_data --simulated`), a Celery worker AND celery beat, so
// the demo market keeps closing candles in real time (tests/e2e/test_first_hour.py starts them).
// The first backtest runs on the form's defaults and succeeds; a paper bot on a 1m strategy
// decides on its own, on candles the refresh downloaded after it started.
import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { MarketSymbol } from "../../src/lib/api-types";
import { manageBrowser, newPage, openPath, screenshot, signIn } from "../support/browser";

const USERNAME = process.env.E2E_USERNAME ?? "demo";
const PASSWORD = process.env.E2E_PASSWORD ?? "demo-pass-123";
const MINUTE_STRATEGY = [
  'timeframe = "1m"',
  "param fast = 3 in 2..50",
  "param slow = 8 in 3..200",
  "long_entry = crosses_above(ema(close, fast), ema(close, slow))",
  "long_exit = crosses_below(ema(close, fast), ema(close, slow))",
].join("\n");

let browser: Browser;
let page: Page;
manageBrowser(
  (launched) => (browser = launched),
  () => page,
);

async function openSignedIn(path: string) {
  page = await newPage(browser);
  await openPath(page, path);
  await signIn(page, USERNAME, PASSWORD);
}

/** A JSON API call from the signed-in page (its session cookie and CSRF token). */
async function api<T>(method: string, path: string, body?: object): Promise<T> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const csrf = document.cookie.match(/csrftoken=([^;]+)/)?.[1] ?? "";
      const response = await fetch(path, {
        method,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: body ? JSON.stringify(body) : undefined,
      });
      if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    { method, path, body },
  );
}

const demoSymbol = async () => (await api<MarketSymbol[]>("GET", "/api/datafeeds/symbols/")).find((s) => s.exchange === "simulated")!;

describe("the first hour on the demo", () => {
  it("runs a first backtest on the form's defaults: the demo's stored range, and it succeeds", async () => {
    await openSignedIn("/backtests");
    await page.getByTestId("run-form").waitFor();
    // The symbols arrive after the form is drawn: the first one is then chosen.
    await expect.poll(() => page.getByTestId("bt-symbol").inputValue()).toBe("simulated:BTCUSDT");
    expect(await page.locator('[data-testid="bt-symbol"] option:checked').textContent()).toBe("BTCUSDT · simulated");
    // The span shown is what is stored of the strategy's timeframe, in 24-hour ISO UTC.
    const strategy = await page.getByTestId("strategy-select").inputValue();
    const catalog = await api<{ key: string; base_timeframe: string }[]>("GET", "/api/strategies/catalog/");
    const base = catalog.find((s) => s.key === strategy)!.base_timeframe;
    const coverage = (await demoSymbol()).timeframes.find((t) => t.timeframe === base)!;
    const startShown = async () => {
      const [day, time = "00:00"] = (await page.getByTestId("bt-start").inputValue()).split(" ");
      return Date.parse(`${day}T${time}Z`) / 1000;
    };
    await expect.poll(startShown).toBe(coverage.first); // once the stored span has arrived
    const start = await page.getByTestId("bt-start").inputValue();
    expect(start).toMatch(/^\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?$/);
    expect(await page.getByTestId("bt-stored-span").textContent()).toContain(start);
    await screenshot(page, "fh-01-backtest-form-defaults");

    await page.getByTestId("run-submit").click();
    const run = page.getByTestId("run-details");
    await run.waitFor();
    await page.locator('[data-testid="run-details"][data-status="done"]').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId("run-error").count()).toBe(0);
    expect(await run.locator("h2").textContent()).toContain("BTCUSDT · simulated");
    expect(await run.getByTestId("data-source-badge").getAttribute("data-simulated")).toBe("true");
    // The demo's 60 days start with no history before them: the run says what the warm-up took.
    const warmup = page.locator('[data-testid="span-notes"] [data-kind="warmup"]');
    await warmup.waitFor();
    expect(await warmup.textContent()).toMatch(/The first [\d,]+ bars .* went to the indicators' warm-up/);
    expect(await warmup.locator("code").textContent()).toMatch(/^python manage\.py fetch_ohlcv BTCUSDT \S+ --exchange simulated --since \d{4}-\d{2}-\d{2}$/);
    await page.getByTestId("kpi-table").waitFor();
    await screenshot(page, "fh-02-first-backtest-done");
  });

  it("starts a paper bot on the demo that decides on its own, on candles closed after it started", async () => {
    await openSignedIn("/bots");
    await page.getByTestId("bots-empty").waitFor();
    const saved = await api<{ key: string; name: string }>("POST", "/api/strategies/definitions/", {
      name: `first hour 1m ${Date.now().toString(36)}`,
      source: MINUTE_STRATEGY,
    });
    await page.reload();
    await page.getByTestId("bot-strategy").selectOption(saved.key);
    await page.getByTestId("bot-name").fill("demo 1m");
    await page.getByTestId("bot-symbol").selectOption("simulated:BTCUSDT");
    await page.getByTestId("bot-create").click();
    const row = page.locator('[data-testid^="bot-row-"]').first();
    await row.waitFor();
    const startedAt = Date.now() / 1000;
    await row.getByTestId("bot-start").click();
    await expect.poll(() => row.getByTestId("bot-status").textContent()).toBe("running");
    const before = (await demoSymbol()).timeframes.find((t) => t.timeframe === "1m")!.last;

    // No clock is moved here: beat's refresh downloads the candle that closes next (a minute at
    // most, plus its delay), the worker steps the bot on it, and the page hears it.
    await expect
      .poll(async () => (await row.getByTestId("bot-last-decision").textContent())?.trim() ?? "", { timeout: 180_000, interval: 1_000 })
      .toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    const id = Number((await row.getAttribute("data-testid"))!.replace("bot-row-", ""));
    const bot = await api<{ last_candle: number | null; status: string; stalled: string }>("GET", `/api/execution/bots/${id}/`);
    expect(bot.status).toBe("running");
    expect(bot.last_candle).not.toBeNull();
    expect(bot.last_candle! + 60).toBeGreaterThanOrEqual(Math.floor(startedAt / 60) * 60); // a candle that closed after the start
    const after = (await demoSymbol()).timeframes.find((t) => t.timeframe === "1m")!.last;
    expect(after).toBeGreaterThan(before); // the demo market moved on by itself
    await screenshot(page, "fh-03-demo-bot-decided");
  });
});
