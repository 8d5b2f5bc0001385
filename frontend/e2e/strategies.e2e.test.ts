// The Strategies page: a strategy written in the strategy language, its error underlined as it is
// typed, fixed, saved (two versions), its entries previewed on a chart, backtested, and run in a
// paper bot; the built-ins copied. Needs the `demo` user, BTCUSDT 5m candles over June 2024 and a
// Celery worker next to the server (as backtests.e2e), and the strategies API of the language.
import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { manageBrowser, newPage, openPath, pathOf, screenshot, signIn } from "./support/browser";

const USERNAME = process.env.E2E_USERNAME ?? "demo";
const PASSWORD = process.env.E2E_PASSWORD ?? "demo-pass-123";

let browser: Browser;
let page: Page;
manageBrowser(
  (launched) => (browser = launched),
  () => page,
);

// Line 4 calls rsi() without its series: the API says so at line 4, columns 68-75 ("rsi(14)").
const WITH_ERROR = [
  'timeframe = "5m"',
  "param fast = 12 in 5..50",
  "param slow = 26 in 10..200",
  "long_entry = crosses_above(ema(close, fast), ema(close, slow)) and rsi(14) < 70",
  "long_exit = crosses_below(ema(close, fast), ema(close, slow))",
  "stop_loss = 2%",
];
// Unique per run: a name is unique among a user's strategies.
const NAME = `e2e EMA cross + RSI ${Date.now().toString(36)}`;

const editor = () => page.locator('[data-testid="strategy-editor"] .cm-content');
const editorText = () => page.evaluate(() => window.__strategyEditor!.text());
const workspace = () => page.getByTestId("strategy-workspace");

/** Types `lines` into the editor as a user does, key by key; Escape closes any completion list
 * before the line ends (Enter would accept it). */
async function typeLines(lines: string[]) {
  for (const [i, line] of lines.entries()) {
    await page.keyboard.type(line);
    await page.keyboard.press("Escape");
    if (i < lines.length - 1) await page.keyboard.press("Enter");
  }
}

async function openSignedIn(path: string) {
  page = await newPage(browser);
  await openPath(page, path);
  await signIn(page, USERNAME, PASSWORD);
}

describe("strategies", () => {
  it("writes a strategy with an error, fixes it, saves two versions, previews, backtests and runs it in a paper bot", async () => {
    await openSignedIn("/strategies");
    await page.getByTestId("strategies").waitFor();
    expect(pathOf(page)).toBe("/strategies");
    expect(await page.getByTestId("nav-strategies").getAttribute("class")).toContain("active");
    await page.locator('[data-testid="builtin-row"][data-key="ema-cross"]').waitFor();

    // A new strategy starts from the example; replaced by typing.
    await page.getByTestId("strategy-new").click();
    await editor().waitFor();
    expect(pathOf(page)).toBe("/strategies/new");
    expect(await editorText()).toContain("long_entry");
    // The editor is labelled, and the function list came (completion and highlighting use it).
    expect(await editor().getAttribute("aria-labelledby")).toBeTruthy();
    await editor().click();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.press("Delete");
    await typeLines(WITH_ERROR);
    expect(await editorText()).toBe(WITH_ERROR.join("\n"));

    // Underlined where the API says, with its message in the list under the editor.
    const underline = page.locator(".cm-lintRange-error");
    await underline.first().waitFor();
    // (The underline may be split by the highlighter's spans: its text, joined.)
    expect((await underline.allTextContents()).join("")).toBe("rsi(14)");
    await page.locator('[data-testid="validation-status"][data-state="invalid"]').waitFor();
    const problem = page.getByTestId("strategy-problem");
    expect(await problem.textContent()).toMatch(/^line 4, column 68: rsi\(\) takes a series and a period/);
    await screenshot(page, "60-strategy-error");

    // The problem's button selects the call in the editor: typing replaces it.
    await problem.click();
    await page.keyboard.type("rsi(close, 14)");
    await page.keyboard.press("Escape");
    await page.locator('[data-testid="validation-status"][data-state="valid"]').waitFor();
    expect(await underline.count()).toBe(0);
    expect(await editorText()).toContain("and rsi(close, 14) < 70");
    // Completion: the functions with their signatures.
    await page.keyboard.press("End");
    await page.keyboard.type(" and cros");
    const completion = page.locator(".cm-tooltip-autocomplete");
    await completion.waitFor();
    expect(await completion.textContent()).toContain("crosses_above(a, b)");
    await page.keyboard.press("Escape");
    for (let i = 0; i < " and cros".length; i++) await page.keyboard.press("Backspace");
    await page.locator('[data-testid="validation-status"][data-state="valid"]').waitFor();

    // The parameter schema beside the editor.
    await page.locator('[data-testid="strategy-facts"][data-state="valid"]').waitFor();
    expect(await page.locator('[data-testid="param-schema-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute("data-param")))).toEqual(["fast", "slow"]);
    expect(await page.getByTestId("fact-timeframe").textContent()).toBe("5m");

    // Saved: version 1 with its key; the page becomes the strategy's.
    await page.getByTestId("strategy-name").fill(NAME);
    await page.getByTestId("strategy-save").click();
    await page.waitForURL(/\/strategies\/\d+$/);
    await page.locator('[data-testid="strategy-workspace"][data-version="1"]').waitFor();
    const id = await workspace().getAttribute("data-strategy-id");
    const keyV1 = (await workspace().getAttribute("data-key"))!;
    expect(keyV1).toMatch(/^user-\d+-v1$/);
    expect(await page.getByTestId("strategy-saved").textContent()).toBe(`Saved as version 1 (${keyV1}).`);

    // The check of the saved version: done (ok or its findings).
    await page.locator('[data-testid="strategy-check"]:not([data-check="pending"])').waitFor({ timeout: 30_000 });

    // A changed text is a new version; the older one's runs keep it.
    await editor().click();
    await page.keyboard.press("ControlOrMeta+End");
    await page.keyboard.press("Enter");
    await typeLines(["take_profit = 4%"]);
    await page.locator('[data-testid="validation-status"][data-state="valid"]').waitFor();
    expect(await page.getByTestId("strategy-save").textContent()).toBe("Save as version 2");
    await page.getByTestId("strategy-save").click();
    await page.locator('[data-testid="strategy-workspace"][data-version="2"]').waitFor();
    const key = (await workspace().getAttribute("data-key"))!;
    expect(key).toBe(keyV1.replace(/-v1$/, "-v2"));
    expect(await page.getByTestId("strategy-saved").textContent()).toBe(
      `Saved as version 2 (${key}). Backtests and bots made with version 1 keep running version 1 (${keyV1}).`,
    );
    await page.getByTestId("strategy-versions").locator("summary").click();
    await expect.poll(() => page.getByTestId("strategy-version-row").count()).toBe(2);

    // Its entries on BTCUSDT 5m, as arrows on the replay's chart.
    const preview = page.getByTestId("strategy-preview");
    await preview.scrollIntoViewIfNeeded();
    await preview.getByTestId("symbol-select").selectOption("binance:BTCUSDT");
    await preview.getByTestId("timeframe-select").selectOption("5m");
    await page.locator(`[data-testid="strategy-preview"][data-key="${key}"][data-ready="true"]`).waitFor({ timeout: 30_000 });
    const entries = Number(await page.getByTestId("preview-entries").getAttribute("data-count"));
    expect(entries).toBeGreaterThan(0);
    await page.waitForFunction(() => (window.__chart?.markers().length ?? 0) > 0);
    const markers = await page.evaluate(() => window.__chart!.markers());
    expect(markers.every((m) => m.side === "long")).toBe(true); // the strategy only enters long
    expect(markers.length).toBeLessThanOrEqual(entries);
    expect(await page.evaluate(() => window.__chart!.visibleCandles())).toBe(1000);
    await screenshot(page, "61-strategy-preview");

    // Backtest it: the form opens with the strategy chosen; the run completes.
    await page.getByTestId("strategy-backtest").click();
    await page.getByTestId("run-form").waitFor();
    expect(pathOf(page)).toBe(`/backtests?strategy=${key}`);
    expect(await page.getByTestId("strategy-select").inputValue()).toBe(key);
    expect(await page.getByTestId("param-fast").inputValue()).toBe("12");
    await page.getByTestId("bt-symbol").selectOption("binance:BTCUSDT");
    await page.getByTestId("bt-start").fill("2024-06-01");
    await page.getByTestId("bt-end").fill("2024-06-08");
    await page.getByTestId("run-submit").click();
    await page.getByTestId("run-details").waitFor();
    await page.locator('[data-testid="run-details"][data-status="done"]').waitFor({ timeout: 90_000 });
    expect(await page.locator('[data-testid="kpi-table"] tr[data-kpi="number_of_trades"] td').textContent()).toMatch(/^\d+/);
    await screenshot(page, "62-strategy-backtest");

    // Start a paper bot: the bot form opens with the strategy chosen, in paper mode.
    await page.getByTestId("nav-strategies").click();
    await page.locator(`[data-testid="strategy-row"][data-strategy-id="${id}"]`).getByTestId("strategy-link").click();
    await page.locator(`[data-testid="strategy-workspace"][data-key="${key}"]`).waitFor();
    await page.getByTestId("strategy-paper-bot").click();
    await page.getByTestId("bot-form").waitFor();
    expect(pathOf(page)).toBe(`/bots?strategy=${key}`);
    expect(await page.getByTestId("bot-strategy").inputValue()).toBe(key);
    expect(await page.getByTestId("bot-mode").inputValue()).toBe("paper");
    // Named after the strategy (the catalog names the version): ready to create as it is.
    expect(await page.getByTestId("bot-name").inputValue()).toBe(`${NAME} (v2) paper`);
    const btc = await page.getByTestId("bot-symbol").locator("option", { hasText: "BTCUSDT" }).first().getAttribute("value");
    await page.getByTestId("bot-symbol").selectOption(btc!);
    await page.getByTestId("bot-create").click();
    const row = page.locator('[data-testid^="bot-row-"]', { hasText: NAME });
    await row.waitFor();
    const botId = Number((await row.getAttribute("data-testid"))!.replace("bot-row-", ""));
    expect(await row.getByTestId("mode-badge").textContent()).toBe("PAPER");
    await row.getByTestId("bot-start").click();
    await expect.poll(() => row.getByTestId("bot-status").textContent()).toBe("running");
    await screenshot(page, "63-strategy-paper-bot");

    // While it runs, the strategy cannot be deleted: the page says which bot holds it.
    await page.getByTestId("nav-strategies").click();
    await page.locator(`[data-testid="strategy-row"][data-strategy-id="${id}"]`).getByTestId("strategy-delete").click();
    await page.getByTestId("strategy-delete-confirm").click();
    expect(await page.getByTestId("strategy-delete-error").textContent()).toContain("running");

    // Clean up for the other scenarios (the bots scenario starts from no bot): stop and delete
    // the bot, then the strategy.
    await page.getByTestId("nav-bots").click();
    const botRow = page.getByTestId(`bot-row-${botId}`);
    await botRow.waitFor();
    if ((await botRow.getByTestId("bot-stop").count()) > 0) {
      await botRow.getByTestId("bot-stop").click();
      await page.getByTestId("stop-keep").click();
    }
    await expect.poll(() => botRow.getByTestId("bot-status").textContent(), { timeout: 30_000 }).toMatch(/stopped|error/);
    page.once("dialog", (dialog) => void dialog.accept());
    await botRow.getByTestId("bot-delete").click();
    await botRow.waitFor({ state: "detached" });
    await page.getByTestId("nav-strategies").click();
    await page.locator(`[data-testid="strategy-row"][data-strategy-id="${id}"]`).getByTestId("strategy-delete").click();
    await page.getByTestId("strategy-delete-confirm").click();
    await page.locator(`[data-testid="strategy-row"][data-strategy-id="${id}"]`).waitFor({ state: "detached" });
  });

  it("copies a built-in written in the language into a new strategy of yours", async () => {
    await openSignedIn("/strategies");
    const builtin = page.locator('[data-testid="builtin-row"][data-key="ema-cross"]');
    await builtin.getByTestId("builtin-copy").click();
    await page.waitForURL(/\/strategies\/new\?from=ema-cross$/);
    await editor().waitFor();
    expect(await editorText()).toContain("ema(close, fast_period)");
    await page.locator('[data-testid="strategy-facts"][data-state="valid"]').waitFor();
    const name = await page.getByTestId("strategy-name").inputValue();
    expect(name).toMatch(/\(copy\)$/);
    await page.getByTestId("strategy-save").click();
    await page.locator('[data-testid="strategy-workspace"][data-version="1"]').waitFor();
    const id = await workspace().getAttribute("data-strategy-id");
    await page.getByTestId("nav-strategies").click();
    const row = page.locator(`[data-testid="strategy-row"][data-strategy-id="${id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain(name);
    expect(await row.getAttribute("data-key")).toMatch(/^user-\d+-v1$/);
    await screenshot(page, "64-strategies-list");
    await row.getByTestId("strategy-delete").click();
    await row.getByTestId("strategy-delete-confirm").click();
    await row.waitFor({ state: "detached" });
  });
});
