// The Risk page and a backtest under a risk profile, in the browser: create profiles (a value out
// of its bounds and a name clash named under their fields), make one the default, pick it on the
// backtest form, run it and read the entries it blocked per rule. Needs the `demo` user, BTCUSDT
// 5m candles over June 2024 and a Celery worker (tests/e2e/test_browser.py starts them).
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

const suffix = Date.now().toString(36);
const LOOSE = `Loose ${suffix}`;
const TIGHT = `Tight ${suffix}`;

const row = (name: string) => page.locator(`[data-testid="risk-row"]`, { hasText: name });
const fieldError = (field: string) => page.locator(`[data-testid="risk-profile-form"] [data-testid="field-error"][data-field="${field}"]`);

async function fillProfile(values: Record<string, string>) {
  for (const [name, value] of Object.entries(values)) await page.getByTestId(`risk-${name}`).fill(value);
}

describe("risk profiles", () => {
  it("creates profiles with field errors for bad values, makes one the default, and backtests with it", async () => {
    page = await newPage(browser);
    await openPath(page, "/risk");
    await signIn(page, USERNAME, PASSWORD);
    await page.getByTestId("risk-profiles").waitFor();
    expect(pathOf(page)).toBe("/risk");
    if ((await page.getByTestId("risk-row").count()) === 0) {
      expect(await page.getByTestId("risk-empty").textContent()).toContain("New profile");
      await screenshot(page, "40-risk-empty");
    }

    // A first profile with the served defaults.
    await page.getByTestId("risk-new").click();
    expect(await page.getByTestId("risk-risk_per_trade").inputValue()).toBe("1");
    expect(await page.getByTestId("risk-stop_loss").inputValue()).toBe("2");
    await page.getByTestId("risk-name").fill(LOOSE);
    await page.getByTestId("risk-save").click();
    await row(LOOSE).waitFor();

    // Out of bounds: named under the field, nothing sent.
    await page.getByTestId("risk-new").click();
    await page.getByTestId("risk-name").fill(TIGHT);
    await fillProfile({ risk_per_trade: "25", max_drawdown: "150" });
    await page.getByTestId("risk-save").click();
    expect(await fieldError("risk_per_trade").textContent()).toBe("must be above 0 %, up to 10 %");
    expect(await fieldError("max_drawdown").textContent()).toBe("must be above 0 %, below 100 %");
    await screenshot(page, "41-risk-field-errors");

    // The server's 400 (a name already used) under the name field.
    await page.getByTestId("risk-name").fill(LOOSE);
    await fillProfile({ risk_per_trade: "1", max_drawdown: "", stop_loss: "0.4", take_profit: "", max_daily_loss: "1", cooldown_bars: "60" });
    await page.getByTestId("risk-save").click();
    expect(await fieldError("name").textContent()).toContain(`already have a risk profile named '${LOOSE}'`);
    expect(await fieldError("risk_per_trade").count()).toBe(0);

    await page.getByTestId("risk-name").fill(TIGHT);
    await page.getByTestId("risk-save").click();
    await row(TIGHT).waitFor();
    const tight = row(TIGHT);
    expect(await tight.locator('[data-field="stop_loss"]').textContent()).toBe("0.4 %");
    expect(await tight.locator('[data-field="take_profit"]').textContent()).toBe("off");
    expect(await tight.locator('[data-field="max_drawdown"]').textContent()).toBe("off");
    expect(await tight.locator('[data-field="cooldown_bars"]').textContent()).toBe("60 bars");
    expect(await tight.getAttribute("data-default")).toBe("false");

    // Make it the default: the badge moves.
    await tight.getByTestId("risk-make-default").click();
    await page.locator(`[data-testid="risk-row"][data-default="true"]`, { hasText: TIGHT }).waitFor();
    expect(await row(LOOSE).getAttribute("data-default")).toBe("false");
    expect(await page.locator('[data-testid="risk-row"][data-default="true"]').count()).toBe(1);
    // Times in UTC, local time on hover.
    expect(await tight.locator("time").textContent()).toMatch(/ UTC$/);
    expect(await tight.locator("time").getAttribute("title")).toMatch(/^local time: /);
    await screenshot(page, "42-risk-profiles");

    // Edit: only what changed is sent; the row shows the new value.
    await row(LOOSE).getByTestId("risk-edit").click();
    expect(await page.getByTestId("risk-name").inputValue()).toBe(LOOSE);
    await page.getByTestId("risk-cooldown_bars").fill("12");
    await page.getByTestId("risk-save").click();
    await page.getByTestId("risk-profile-form").waitFor({ state: "detached" });
    expect(await row(LOOSE).locator('[data-field="cooldown_bars"]').textContent()).toBe("12 bars");

    // Keyboard: the New profile button is reachable and opens the form.
    await page.getByTestId("risk-new").focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("risk-profile-form").waitFor();
    await page.getByTestId("risk-cancel").click();

    // Pick it on the backtest form: it takes over size, stop-loss and take-profit.
    await page.getByTestId("nav-backtests").click();
    await page.getByTestId("run-form").waitFor();
    await page.getByTestId("strategy-select").selectOption("ema-cross");
    await page.getByTestId("bt-symbol").selectOption("binance:BTCUSDT");
    await page.getByTestId("bt-start").fill("2024-06-01");
    await page.getByTestId("bt-end").fill("2024-06-15");
    await page.getByTestId("risk-profile-picker").selectOption({ label: `${TIGHT} (default)` });
    expect(await page.getByTestId("bt-size").isDisabled()).toBe(true);
    expect(await page.getByTestId("bt-stop-loss").isDisabled()).toBe(true);
    await page.getByTestId("run-submit").click();
    await page.locator('[data-testid="run-details"][data-status="done"]').waitFor({ timeout: 90_000 });

    // Blocked entries per reason, with the first refusal in words.
    const report = page.getByTestId("risk-report");
    await report.getByTestId("blocked-table").waitFor();
    expect(await report.locator("h3").textContent()).toBe(`Risk profile “${TIGHT}”`);
    const rows = report.locator('tbody tr[data-testid^="blocked-"]');
    expect(await rows.count()).toBeGreaterThan(0);
    const cooldown = report.getByTestId("blocked-cooldown");
    expect(Number(await cooldown.getByTestId("blocked-count").textContent())).toBeGreaterThan(0);
    expect(await cooldown.textContent()).toMatch(/cooldown: \d+ of 60 bars after a stop-loss/);
    expect(Number((await report.getByTestId("blocked-total").textContent())?.replace(/,/g, ""))).toBeGreaterThan(0);
    expect(await report.getByTestId("risk-sizing").textContent()).toMatch(/^Sized \d+ by .* · sizes .* BTC/);
    expect(await page.getByTestId("run-details").locator(".bt-run__header").textContent()).toContain("sized by the risk profile");
    // Every trade shows its size and the stop of the profile.
    await page.getByTestId("trades-table").waitFor();
    expect(await page.locator('[data-testid="trades-table"] thead').textContent()).toContain("Size");
    expect(await page.locator('[data-testid="trades-table"] tbody').textContent()).toContain("stop_loss");
    await report.scrollIntoViewIfNeeded();
    await screenshot(page, "43-backtest-blocked-entries");

    // A sweep with the profile: every run says how many entries it blocked.
    await page.getByTestId("mode-sweep").click();
    await page.getByTestId("param-fast_period").fill("8, 12");
    expect(await page.getByTestId("risk-profile-picker").inputValue()).not.toBe("");
    await page.getByTestId("run-submit").click();
    await page.locator('[data-testid="sweep-view"][data-status="done"]').waitFor({ timeout: 90_000 });
    const blocked = page.getByTestId("sweep-blocked");
    expect(await blocked.count()).toBe(2);
    for (const text of await blocked.allTextContents()) expect(Number(text.replace(/,/g, ""))).toBeGreaterThan(0);
    expect(await page.getByTestId("sweep-view").locator(".bt-run__header").textContent()).toContain(`risk profile “${TIGHT}”`);
    await screenshot(page, "44-sweep-blocked");

    // Delete asks first (Keep keeps it).
    await page.getByTestId("nav-risk").click();
    await row(LOOSE).getByTestId("risk-delete").click();
    expect(await row(LOOSE).textContent()).toContain(`Delete “${LOOSE}”?`);
    await row(LOOSE).getByTestId("risk-delete-cancel").click();
    await row(LOOSE).getByTestId("risk-delete").click();
    await row(LOOSE).getByTestId("risk-delete-confirm").click();
    await row(LOOSE).waitFor({ state: "detached" });
    expect(await row(TIGHT).count()).toBe(1);
  });
});
