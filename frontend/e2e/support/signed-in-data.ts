// A signed-in page and the data the page-wide scenarios (every route at phone and desktop width,
// axe on every route, the run tables) need: done runs with trades, a done sweep, a paper bot and a
// strategy of the user's own, made through the API the page uses (session + CSRF) and removed
// again by `removeMade` (the Bots scenario starts from no bot).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Browser, Page } from "playwright-core";
import { expect } from "vitest";
import { newPage, openPath, signIn } from "./browser";

export const USERNAME = process.env.E2E_USERNAME ?? "demo";
export const PASSWORD = process.env.E2E_PASSWORD ?? "demo-pass-123";

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

/** A fresh page of `size`, signed in, showing `path`. */
export async function signedInPage(browser: Browser, path: string, size = DESKTOP): Promise<Page> {
  const page = await newPage(browser);
  await page.setViewportSize(size);
  await openPath(page, `/login?next=${encodeURIComponent(path)}`);
  await signIn(page, USERNAME, PASSWORD);
  await page.waitForURL((url) => url.pathname !== "/login");
  return page;
}

/** The same request the app makes, with the page's session and CSRF token. */
export function api<T>(page: Page, method: string, path: string, body?: object): Promise<{ status: number; data: T }> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const token = () => document.cookie.match(/(?:^|; )csrftoken=([^;]*)/)?.[1];
      if (!token()) await fetch("/api/auth/csrf/");
      const answer = await fetch(path, {
        method,
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": decodeURIComponent(token() ?? "") },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await answer.text();
      return { status: answer.status, data: (text ? JSON.parse(text) : null) as T };
    },
    { method, path, body },
  );
}

export interface Made {
  runs: number[];
  sweep: number;
  bot: number;
  definition: number;
}

const SPAN = { symbol: "BTCUSDT", start: "2024-06-01", end: "2024-06-10" };
const SOURCE = [
  'timeframe = "5m"',
  "param fast = 12 in 5..50",
  "param slow = 26 in 10..200",
  "long_entry = crosses_above(ema(close, fast), ema(close, slow))",
  "long_exit = crosses_below(ema(close, fast), ema(close, slow))",
  "stop_loss = 2%",
].join("\n");

/** Waits until the run or sweep at `path` is done (re-read by the page every half second). */
async function waitDone(page: Page, path: string): Promise<void> {
  await page.waitForFunction(async (url) => ((await (await fetch(url)).json()) as { status: string }).status === "done", path, {
    polling: 500,
    timeout: 90_000,
  });
}

/** Two done runs (different parameters, so they differ), a done 2-run sweep, a stopped paper bot
 * and a strategy definition. */
export async function makeData(page: Page): Promise<Made> {
  const suffix = Date.now().toString(36);
  const runs: number[] = [];
  for (const fast of [8, 16]) {
    const created = await api<{ id: number }>(page, "POST", "/api/analytics/backtests/", {
      strategy: "ema-cross",
      params: { fast_period: fast, slow_period: 26 },
      ...SPAN,
    });
    expect(created.status, JSON.stringify(created.data)).toBe(202);
    runs.push(created.data.id);
  }
  const sweep = await api<{ id: number }>(page, "POST", "/api/analytics/backtests/sweeps/", {
    strategy: "ema-cross",
    grid: { fast_period: [10, 14] },
    params: { slow_period: 26 },
    ...SPAN,
  });
  expect(sweep.status, JSON.stringify(sweep.data)).toBe(202);
  const bot = await api<{ id: number }>(page, "POST", "/api/execution/bots/", {
    name: `pages bot ${suffix}`,
    strategy: "ema-cross",
    symbol: "BTCUSDT",
    mode: "paper",
    paper_capital: 10_000,
  });
  expect(bot.status, JSON.stringify(bot.data)).toBe(201);
  const definition = await api<{ id: number }>(page, "POST", "/api/strategies/definitions/", { name: `pages strategy ${suffix}`, source: SOURCE });
  expect(definition.status, JSON.stringify(definition.data)).toBe(201);
  for (const id of runs) await waitDone(page, `/api/analytics/backtests/${id}/`);
  await waitDone(page, `/api/analytics/backtests/sweeps/${sweep.data.id}/`);
  return { runs, sweep: sweep.data.id, bot: bot.data.id, definition: definition.data.id };
}

/** Deletes the bot and the strategy (the runs stay: other scenarios list runs, none counts them). */
export async function removeMade(browser: Browser, made: Partial<Made>): Promise<void> {
  if (!made.bot && !made.definition) return;
  const page = await signedInPage(browser, "/risk");
  try {
    if (made.bot) expect((await api(page, "DELETE", `/api/execution/bots/${made.bot}/`)).status).toBe(204);
    if (made.definition) expect((await api(page, "DELETE", `/api/strategies/definitions/${made.definition}/`)).status).toBe(204);
  } finally {
    await page.context().close();
  }
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ id: v.id, impact: v.impact ?? "", help: v.help, nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)) }));
  });
}

/** How far the page scrolls sideways (0 when it fits). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** Up to 5 of the outermost elements that stick out of the window on the right (for the report). */
export function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out = Array.from(document.body.querySelectorAll("*")).filter((el) => el.getBoundingClientRect().right > width + 1);
    return out
      .filter((el) => !out.includes(el.parentElement!))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}[${el.getAttribute("data-testid") ?? ""}] right=${Math.round(el.getBoundingClientRect().right)}`);
  });
}
