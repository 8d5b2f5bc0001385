import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { ARTIFACTS_DIR, BASE_URL, CHROMIUM_PATH } from "./env";

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-dev-shm-usage",
    ],
  });
}

/**
 * A fresh page in its own context (cookies). `clientAddress` makes the page a client from another
 * address (X-Forwarded-For, which uvicorn trusts from 127.0.0.1): the sign-in lock-out and the
 * throttles count per address, so a test that provokes them must not lock out the other tests.
 */
export async function newPage(browser: Browser, options: { clientAddress?: string } = {}): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    ...(options.clientAddress ? { extraHTTPHeaders: { "X-Forwarded-For": options.clientAddress } } : {}),
  });
  const page = await context.newPage();
  // A wait for an element ends when it appears: the limit only bounds a failure, and is long
  // enough for a loaded machine (make test runs the browser next to two other test processes).
  page.setDefaultTimeout(30_000);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  uncaughtErrors.set(page, errors);
  return page;
}

const uncaughtErrors = new WeakMap<Page, string[]>();

/** Uncaught exceptions thrown in the page since it opened. */
export function pageErrors(page: Page): string[] {
  return uncaughtErrors.get(page) ?? [];
}

/** Opens the app at `/?query` (relative to the base URL). */
export async function openApp(page: Page, query: Record<string, string | number> = {}): Promise<void> {
  const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
  await page.goto(`${BASE_URL}/${search ? `?${search}` : ""}`);
}

/** Opens a path of the app (`/backtests/12`, `/login?next=...`) relative to the base URL. */
export async function openPath(page: Page, path: string): Promise<void> {
  await page.goto(`${BASE_URL}${path}`);
}

/** The page's path and query, without the base URL. */
export function pathOf(page: Page): string {
  const url = new URL(page.url());
  return `${url.pathname}${url.search}`;
}

/** Signs in on the sign-in page (the page must show it). */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByTestId("login-form").waitFor();
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await page.getByTestId("login-submit").click();
}

/** Waits until the chart shows candles and the legend is drawn. */
export async function waitForChart(page: Page): Promise<void> {
  await page.waitForFunction(() => (window.__chart?.visibleCandles() ?? 0) > 0);
  await page.getByTestId("cursor-time").waitFor();
}

export async function cursorTime(page: Page): Promise<number> {
  return Number(await page.getByTestId("cursor-time").getAttribute("data-time"));
}

export async function chartState(page: Page) {
  return page.evaluate(() => {
    const chart = window.__chart;
    if (!chart) throw new Error("window.__chart is not set");
    return {
      visibleCandles: chart.visibleCandles(),
      markers: chart.markers(),
      lastCandleTime: chart.lastCandleTime(),
      lines: chart.lines(),
    };
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: fileURLToPath(new URL(`${name}.png`, ARTIFACTS_DIR)) });
}

/** GET a platform API endpoint from the test process (to pick interesting windows from real data). */
export async function apiGet<T>(path: string): Promise<T> {
  const response = await fetch(`${BASE_URL}${path}`);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** Waits until the replay shows `timeframe` data and the chart has drawn up to the cursor. */
export async function waitForTimeframe(page: Page, timeframe: string): Promise<void> {
  await page.locator(`[data-testid="playback"][data-timeframe="${timeframe}"][data-ready="true"]`).waitFor();
  await page.waitForFunction(() => {
    const time = Number(document.querySelector('[data-testid="cursor-time"]')?.getAttribute("data-time"));
    return window.__chart !== undefined && window.__chart.lastCandleTime() === time;
  });
}

/** Scrubs like a user dragging the slider to `index` (React sees the input event). */
export async function setSliderIndex(page: Page, index: number): Promise<void> {
  await page.getByTestId("slider").evaluate((element, value) => {
    const input = element as HTMLInputElement;
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")?.set;
    setValue?.call(input, String(value));
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }, index);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One browser per test file and one fresh page (context) per test: launches the browser, fails a
 * test whose page logged uncaught errors, and closes everything. `setBrowser` receives the browser;
 * `currentPage` returns the page the test opened, if any.
 */
export function manageBrowser(
  setBrowser: (browser: Browser) => void,
  currentPage: () => Page | undefined,
): void {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
    setBrowser(browser);
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    const page = currentPage();
    if (page) {
      expect(pageErrors(page)).toEqual([]);
      await page.context().close();
    }
  });
}
