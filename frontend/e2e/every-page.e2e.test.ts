// Every route of the app, signed in and with data (two runs, a sweep, a paper bot, a strategy of
// one's own, the replay), at a phone's 390x844 and at 1280x800: the page never scrolls sideways
// (wide tables scroll inside their own box), its charts and tables are drawn (nonzero size), and
// axe-core finds no serious or critical violation. At 1280 the header is one line. Needs the `demo`
// user, BTCUSDT 5m candles over June 2024 and a Celery worker (tests/e2e/test_browser.py).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manageBrowser, newPage, openPath, screenshot } from "./support/browser";
import { ARTIFACTS_DIR } from "./support/env";
import {
  axeViolations,
  DESKTOP,
  horizontalOverflow,
  makeData,
  overflowingElements,
  PHONE,
  removeMade,
  signedInPage,
  type AxeFinding,
  type Made,
} from "./support/signed-in-data";

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

interface Route {
  path: string;
  /** Shown once the page has its data. */
  ready: string;
  /** Charts and tables that must be drawn (nonzero width and height). */
  drawn: string[];
  /** Tables that show every column at 1280 px (their box does not scroll sideways). */
  fitAtDesktop?: string[];
  name: string;
}

function routes(): Route[] {
  const [first, second] = made.runs;
  return [
    { name: "replay", path: "/", ready: '[data-testid="playback"][data-ready="true"]', drawn: ['[data-testid="chart"]'] },
    { name: "dashboard", path: "/dashboard", ready: '[data-testid="dashboard-summary"]', drawn: [] },
    { name: "backtests", path: "/backtests", ready: '[data-testid="runs-list"]', drawn: ['[data-testid="run-form"]', '[data-testid="runs-list"]'] },
    {
      name: "run",
      path: `/backtests/${first}`,
      ready: '[data-testid="trades-table"]',
      drawn: ['[data-testid="kpi-table"]', '[data-testid="equity-chart"]', '[data-testid="monthly-returns"]', '[data-testid="trades-table"]'],
      fitAtDesktop: ['[data-testid="trades-table"]', '[data-testid="monthly-returns"]'],
    },
    {
      name: "sweep",
      path: `/backtests/sweeps/${made.sweep}`,
      ready: '[data-testid="sweep-row"]',
      drawn: ['[data-testid="sweep-table"]'],
      fitAtDesktop: ['[data-testid="sweep-table"]'],
    },
    {
      name: "compare",
      path: `/backtests/compare?ids=${first},${second}`,
      ready: '[data-testid="compare-chart"]',
      drawn: ['[data-testid="compare-chart"]', '[data-testid="compare-table"]'],
    },
    { name: "strategies", path: "/strategies", ready: '[data-testid="builtin-row"]', drawn: [] },
    { name: "strategy-new", path: "/strategies/new", ready: '[data-testid="strategy-editor"] .cm-content', drawn: ['[data-testid="strategy-editor"]'] },
    {
      name: "strategy",
      path: `/strategies/${made.definition}`,
      ready: `[data-testid="strategy-workspace"][data-strategy-id="${made.definition}"]`,
      drawn: ['[data-testid="strategy-editor"]'],
    },
    { name: "optimisation", path: "/optimisation", ready: '[data-testid="study-form"]', drawn: ['[data-testid="study-form"]'] },
    { name: "risk", path: "/risk", ready: '[data-testid="risk-profiles"]', drawn: [] },
    { name: "accounts", path: "/accounts", ready: '[data-testid="accounts"]', drawn: [] },
    { name: "alerts", path: "/alerts", ready: '[data-testid="alert-channels"]', drawn: [] },
    { name: "bots", path: "/bots", ready: `[data-testid="bot-row-${made.bot}"]`, drawn: ['[data-testid="bot-form"]'] },
    { name: "bot", path: `/bots/${made.bot}`, ready: '[data-testid="bot-chart"]', drawn: ['[data-testid="bot-chart"]'] },
    { name: "not-found", path: "/no/such/page", ready: '[data-testid="not-found"]', drawn: [] },
  ];
}

/** Width and height of each of `selectors`' first match (0 x 0 when hidden or missing). */
function sizes(selectors: string[]) {
  return page.evaluate(
    (list) =>
      Object.fromEntries(
        list.map((selector) => {
          const rect = document.querySelector(selector)?.getBoundingClientRect();
          return [selector, rect ? [Math.round(rect.width), Math.round(rect.height)] : [0, 0]];
        }),
      ),
    selectors,
  );
}

/** How far apart (vertically) the header's title, page links and account are, and its height: on
 * one line the items' middles are within a few pixels (a second line is 25+ px lower). */
function headerLine() {
  return page.evaluate(() => {
    const middles = Array.from(document.querySelectorAll(".app-header .page-nav a, .app-header h1, .app-header .user-menu"), (el) => {
      const rect = el.getBoundingClientRect();
      return rect.top + rect.height / 2;
    });
    return { height: document.querySelector(".app-header")!.getBoundingClientRect().height, spread: Math.max(...middles) - Math.min(...middles) };
  });
}

/** Opens each route in turn on `page` and returns what is wrong on each (empty when all is well). */
async function checkRoutes(size: { width: number; height: number }, label: string) {
  const problems: Record<string, { overflow?: number; sticking?: string[]; hidden?: string[]; cut?: string[]; header?: string; axe?: AxeFinding[] }> = {};
  for (const route of routes()) {
    await openPath(page, route.path);
    await page.locator(route.ready).first().waitFor();
    for (const selector of route.drawn) await page.locator(selector).first().waitFor();
    const found: (typeof problems)[string] = {};
    const overflow = await horizontalOverflow(page);
    if (overflow > 0) {
      found.overflow = overflow;
      found.sticking = await overflowingElements(page);
    }
    const hidden = Object.entries(await sizes(route.drawn))
      .filter(([, [width, height]]) => !(width! > 0 && height! > 0))
      .map(([selector, box]) => `${selector} ${box!.join("x")}`);
    if (hidden.length) found.hidden = hidden;
    if (size.width < 600) {
      // Wide tables scroll inside their own box, never wider than the window.
      const wide = await page.evaluate(
        (width) => Array.from(document.querySelectorAll(".bt-table-wrap"), (el) => el.getBoundingClientRect().right).filter((right) => right > width + 1).length,
        size.width,
      );
      if (wide) found.hidden = [...(found.hidden ?? []), `${wide} table boxes wider than the window`];
    }
    if (size.width >= 1280) {
      const header = await headerLine();
      if (header.spread >= 6 || header.height >= 64) found.header = `items ${Math.round(header.spread)} px apart, ${Math.round(header.height)} px high`;
    }
    if (size.width >= 1280 && route.fitAtDesktop) {
      // Every column in view: the table is no wider than the box it scrolls in.
      const cut = await page.evaluate(
        (selectors) =>
          selectors.filter((selector) => {
            const table = document.querySelector(selector)!;
            const box = table.closest(".bt-table-wrap") ?? table.parentElement!;
            return table.getBoundingClientRect().width > box.clientWidth + 1;
          }),
        route.fitAtDesktop,
      );
      if (cut.length) found.cut = cut;
    }
    const axe = await axeViolations(page);
    if (axe.length) found.axe = axe;
    if (Object.keys(found).length) problems[route.path] = found;
    await screenshot(page, `80-${label}-${route.name}`);
    // The whole page too on a phone: what is below the fold is what the phone's user scrolls to.
    if (size.width < 600) await page.screenshot({ path: fileURLToPath(new URL(`80-${label}-${route.name}-full.png`, ARTIFACTS_DIR)), fullPage: true });
  }
  // The whole list, for reading when an assertion's message is cut short.
  writeFileSync(fileURLToPath(new URL(`every-page-${label}.json`, ARTIFACTS_DIR)), JSON.stringify(problems, null, 2));
  return problems;
}

describe("every page", () => {
  it("fits a 390x844 phone: no sideways scroll, charts and tables drawn, no serious axe violation", async () => {
    page = await signedInPage(browser, "/", PHONE);
    expect(await checkRoutes(PHONE, "phone")).toEqual({});
    // The header's pages are behind a menu button on a phone; it opens, and a link in it works.
    await openPath(page, "/backtests");
    await page.getByTestId("runs-list").waitFor();
    const menu = page.getByTestId("nav-menu");
    expect(await menu.getAttribute("aria-expanded")).toBe("false");
    expect(await page.getByTestId("nav-bots").isVisible()).toBe(false);
    await menu.click();
    expect(await menu.getAttribute("aria-expanded")).toBe("true");
    await screenshot(page, "81-phone-menu-open");
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByTestId("nav-bots").click();
    await page.getByTestId("bot-form").waitFor();
    expect(await menu.getAttribute("aria-expanded")).toBe("false");
    // A run tapped in "Your runs" (below the form on a phone) is shown at once: in view, on top.
    await openPath(page, "/backtests");
    await page.locator(`[data-testid="runs-list-row"][data-run-id="${made.runs[0]}"]`).click();
    await page.locator(`[data-testid="run-details"][data-run-id="${made.runs[0]}"]`).waitFor();
    const top = await page.getByTestId("run-details").evaluate((el) => el.getBoundingClientRect().top);
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThan(PHONE.height / 2);
  });

  it("at 1280x800: the header on one line on every page, wide tables whole, no serious axe violation", async () => {
    page = await signedInPage(browser, "/", DESKTOP);
    expect(await checkRoutes(DESKTOP, "desktop")).toEqual({});
    // The page links are all in the header's line, not behind the Menu button.
    expect(await page.getByTestId("nav-menu").isVisible()).toBe(false);
    expect(await page.getByTestId("nav-alerts").isVisible()).toBe(true);
  });

  it("signed out: the sign-in and sign-up pages fit a phone and pass axe", async () => {
    page = await newPage(browser);
    await page.setViewportSize(PHONE);
    for (const [path, ready] of [
      ["/login", "login-form"],
      ["/signup", "signup-form"],
    ] as const) {
      await openPath(page, path);
      await page.getByTestId(ready).waitFor();
      expect(await horizontalOverflow(page), path).toBeLessThanOrEqual(0);
      expect(await axeViolations(page), path).toEqual([]);
      await screenshot(page, `82-phone-${ready}`);
    }
  });
});
