// The runs' tables: a run's trades downloaded as CSV equal GET .../trades/ row for row and value
// for value; the runs list as CSV; a sweep is one entry in "Your runs" (expandable to its runs);
// two runs compared side by side at a real URL; the keyboard path (Tab to a run row, Enter opens
// it, Tab to a trade row; a sweep entry and a sweep's row open by Enter). Needs the `demo` user,
// BTCUSDT 5m candles over June 2024 and a Celery worker (tests/e2e/test_browser.py).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsv, TRADE_FIELDS } from "../src/features/backtests/model/csv";
import { manageBrowser, pathOf, screenshot } from "./support/browser";
import { ARTIFACTS_DIR } from "./support/env";
import { api, makeData, removeMade, signedInPage, type Made } from "./support/signed-in-data";

let browser: Browser;
let page: Page;
manageBrowser(
  (launched) => (browser = launched),
  () => page,
);

let made: Made;

beforeAll(async () => {
  const setup = await signedInPage(browser, "/backtests");
  try {
    made = await makeData(setup);
  } finally {
    await setup.context().close();
  }
});

afterAll(async () => {
  await removeMade(browser, made ?? {});
});

/** Clicks `testId` and returns the text of the file the browser downloads. */
async function download(testId: string): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByTestId(testId).click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), text: readFileSync(path, "utf8") };
}

/** Presses Tab until the focused element matches `selector` (at most `limit` times). */
async function tabTo(selector: string, limit = 80): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** The focused element's outline (the visible focus ring). */
const focusRing = () =>
  page.evaluate(() => {
    const style = getComputedStyle(document.activeElement!);
    return { style: style.outlineStyle, width: style.outlineWidth };
  });

describe("run tables", () => {
  it("downloads a run's trades as CSV equal to the trades API, and the runs list as CSV", async () => {
    const [runId] = made.runs;
    page = await signedInPage(browser, `/backtests/${runId}`);
    await page.getByTestId("trades-table").waitFor();
    const csv = await download("trades-csv");
    expect(csv.name).toBe(`run-${runId}-trades.csv`);
    const api = await page.evaluate(async (id) => (await (await fetch(`/api/analytics/backtests/${id}/trades/`)).json()) as Record<string, unknown>[], runId);
    expect(api.length).toBeGreaterThan(0);
    const [header, ...rows] = parseCsv(csv.text);
    expect(header!.slice(0, TRADE_FIELDS.length)).toEqual([...TRADE_FIELDS]);
    expect(rows).toHaveLength(api.length);
    const fromCsv = rows.map((row) =>
      Object.fromEntries(TRADE_FIELDS.map((field, i) => [field, typeof api[0]![field] === "number" ? Number(row[i]) : row[i]])),
    );
    expect(fromCsv).toEqual(api.map((trade) => Object.fromEntries(TRADE_FIELDS.map((field) => [field, trade[field]]))));
    // The same number of rows as the table shows.
    expect(await page.getByTestId("trade-row").count()).toBe(api.length);

    const runs = await download("runs-csv");
    const [runsHeader, ...runRows] = parseCsv(runs.text);
    const listed = await page.evaluate(async () => (await (await fetch("/api/analytics/backtests/?limit=500")).json()) as { results: { id: number; kpis: { total_return: number } | null }[] });
    const idColumn = runsHeader!.indexOf("id");
    const returnColumn = runsHeader!.indexOf("total_return");
    expect(runRows.map((row) => Number(row[idColumn]))).toEqual(listed.results.map((run) => run.id));
    const mine = runRows.find((row) => Number(row[idColumn]) === runId)!;
    expect(Number(mine[returnColumn])).toBe(listed.results.find((run) => run.id === runId)!.kpis!.total_return);
  });

  it("shows a sweep as one entry of Your runs, expandable to its runs, opened by Enter", async () => {
    page = await signedInPage(browser, "/backtests");
    const entry = page.locator(`[data-testid="runs-list-sweep"][data-sweep-id="${made.sweep}"]`);
    await entry.waitFor();
    const sweepRuns = (await api<{ results: { id: number }[] }>(page, "GET", `/api/analytics/backtests/?sweep=${made.sweep}`)).data.results.map((r) => r.id);
    expect(sweepRuns).toHaveLength(2);
    const rowOf = (id: number) => page.locator(`[data-testid="runs-list-row"][data-run-id="${id}"]`);
    // Folded: the sweep's runs are not rows of their own.
    for (const id of sweepRuns) expect(await rowOf(id).count()).toBe(0);
    expect(await entry.textContent()).toContain("2 runs");
    await entry.getByTestId("sweep-expand").click();
    expect(await entry.getByTestId("sweep-expand").getAttribute("aria-expanded")).toBe("true");
    for (const id of sweepRuns) await rowOf(id).waitFor();
    await page.locator(".bt-runs").screenshot({ path: fileURLToPath(new URL("85-runs-list-sweep-expanded.png", ARTIFACTS_DIR)) });
    await entry.focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("sweep-table").waitFor();
    expect(pathOf(page)).toBe(`/backtests/sweeps/${made.sweep}`);
    // Its done runs, in the table's order, compared side by side.
    const inOrder = await page.getByTestId("sweep-row").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-run-id")));
    await page.getByTestId("sweep-compare").click();
    await page.getByTestId("compare-view").waitFor();
    expect(pathOf(page)).toBe(`/backtests/compare?ids=${inOrder.join(",")}`);
    await page.goBack();
    await page.getByTestId("sweep-table").waitFor();
    // A sweep's row: Tab to it, Enter opens its run.
    await tabTo('[data-testid="sweep-row"]', 200);
    const runId = await page.evaluate(() => document.activeElement!.getAttribute("data-run-id"));
    expect((await focusRing()).style).not.toBe("none");
    await page.keyboard.press("Enter");
    await page.locator(`[data-testid="run-details"][data-run-id="${runId}"]`).waitFor();
    expect(pathOf(page)).toBe(`/backtests/${runId}`);
  });

  it("compares two runs side by side at /backtests/compare?ids=, KPIs in columns and the equity curves overlaid", async () => {
    const [first, second] = made.runs as [number, number];
    page = await signedInPage(browser, "/backtests");
    await page.getByTestId("runs-list").waitFor();
    expect(await page.getByTestId("compare-runs").isDisabled()).toBe(true);
    for (const id of [first, second]) await page.locator(`[data-testid="runs-list-row"][data-run-id="${id}"] [data-testid="compare-pick"]`).check();
    await page.getByTestId("compare-runs").click();
    await page.getByTestId("compare-view").waitFor();
    expect(pathOf(page)).toBe(`/backtests/compare?ids=${first},${second}`);
    const drawn = async () => {
      await page.waitForFunction(() => (window.__compareChart?.runs().length ?? 0) === 2);
      return page.evaluate(() => ({ runs: window.__compareChart!.runs(), points: window.__compareChart!.points() }));
    };
    const chart = await drawn();
    expect(chart.runs).toEqual([first, second]);
    for (const points of chart.points) expect(points).toBeGreaterThan(10);
    // One column per run, the KPIs the API has for each.
    const columns = await page.locator('[data-testid="compare-table"] thead th[data-run-id]').evaluateAll((ths) => ths.map((th) => Number(th.getAttribute("data-run-id"))));
    expect(columns).toEqual([first, second]);
    for (const [i, id] of [first, second].entries()) {
      const run = (await api<{ kpis: { number_of_trades: number } }>(page, "GET", `/api/analytics/backtests/${id}/`)).data;
      const cell = page.locator('[data-testid="compare-table"] tr[data-kpi="number_of_trades"] td').nth(i);
      expect((await cell.textContent())?.replace(/[^\d]/g, "")).toBe(String(run.kpis.number_of_trades));
    }
    await screenshot(page, "86-compare-runs");
    // A real URL: a reload shows the same comparison.
    await page.reload();
    expect((await drawn()).runs).toEqual([first, second]);
    // Leaving it inside the app (no reload) takes the chart down cleanly (no page error).
    await page.locator('[data-testid="compare-table"] thead th[data-run-id] button').first().click();
    await page.locator(`[data-testid="run-details"][data-run-id="${first}"]`).waitFor();
    await page.getByTestId("nav-dashboard").click();
    await page.getByTestId("dashboard-summary").waitFor();
  });

  it("keyboard: Tab reaches a run row, Enter opens it, Tab reaches a trade row that Enter selects", async () => {
    page = await signedInPage(browser, "/backtests");
    await page.getByTestId("runs-list").waitFor();
    await tabTo('[data-testid="runs-list-row"]', 200);
    const runId = await page.evaluate(() => document.activeElement!.getAttribute("data-run-id"));
    const ring = await focusRing();
    expect(ring.style).not.toBe("none");
    expect(parseFloat(ring.width)).toBeGreaterThan(0);
    await screenshot(page, "87-keyboard-run-row");
    await page.keyboard.press("Enter");
    await page.locator(`[data-testid="run-details"][data-run-id="${runId}"]`).waitFor();
    expect(pathOf(page)).toBe(`/backtests/${runId}`);
    await page.getByTestId("trades-table").waitFor();
    // The opened run has the focus: Tab goes on inside it, not through the rest of the list.
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("run-details");
    await tabTo('[data-testid="trade-row"]', 10);
    expect(await page.evaluate(() => document.activeElement!.getAttribute("data-trade-number"))).toBe("0");
    expect((await focusRing()).style).not.toBe("none");
    // Enter selects it (what a chart zooms to); the next row by Tab, Enter moves the selection.
    const row = (n: number) => page.locator(`[data-testid="trade-row"][data-trade-number="${n}"]`);
    expect(await row(0).getAttribute("aria-selected")).toBe("false");
    await page.keyboard.press("Enter");
    await page.locator('[data-testid="trade-row"][data-trade-number="0"][aria-selected="true"]').waitFor();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.locator('[data-testid="trade-row"][data-trade-number="1"][aria-selected="true"]').waitFor();
    expect(await row(0).getAttribute("aria-selected")).toBe("false");
    await screenshot(page, "88-keyboard-trade-row");
  });

  it("shows the run's monthly returns from the API", async () => {
    const [runId] = made.runs;
    page = await signedInPage(browser, `/backtests/${runId}`);
    await page.getByTestId("monthly-returns").waitFor();
    const monthly = (await api<{ months: { period: string; return_fraction: number }[] }>(page, "GET", `/api/analytics/backtests/${runId}/monthly-returns/`)).data;
    expect(monthly.months.map((m) => m.period)).toEqual(["2024-06"]);
    const june = page.locator('[data-testid="monthly-returns"] tr[data-year="2024"] td[data-month="6"]');
    const shown = Number((await june.textContent())!.replace(/[%,]/g, "")) / 100;
    expect(shown).toBeCloseTo(monthly.months[0]!.return_fraction, 4);
  });
});
