// Names a user stores with markup in them are shown as text on every page that shows them, and
// nothing in them runs (issue 22). A risk profile, an exchange account and a bot are made through
// their forms with hostile names (an <img onerror>, a <script>, an attribute break into an <svg
// onload>); a backtest and a sweep run under the profile (the profile's name is their user text);
// a saved strategy through the API (no page shows saved strategies yet). Then every page showing
// one of them: the name's literal text visible, no element it would have injected, no
// `window.__xss` ever set (a setter reports any assignment, even one just before a navigation),
// no dialog. Needs the `demo` user, BTCUSDT 5m candles over June 2024 and a Celery worker
// (tests/e2e/test_browser.py starts them). What it made is deleted at the end, so the other
// scenarios find the pages as they expect (the Bots scenario starts from no bot).
import type { Browser, Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { manageBrowser, newPage, openPath, pathOf, screenshot, signIn, sleep } from "./support/browser";

const USERNAME = process.env.E2E_USERNAME ?? "demo";
const PASSWORD = process.env.E2E_PASSWORD ?? "demo-pass-123";
// Adding an account does not reach the exchange: any well-formed key does outside test_browser.py.
const API_KEY = process.env.E2E_EXCHANGE_API_KEY || "markupNamesKey01";
const SECRET = process.env.E2E_EXCHANGE_SECRET || "markup-names-secret-01";

let browser: Browser;
let page: Page;
manageBrowser(
  (launched) => (browser = launched),
  () => page,
);

const suffix = Date.now().toString(36);
// Each within its field's length (risk profile names 80, labels and bot names 100).
const RISK = `<img src=x onerror="window.__xss=(window.__xss||0)+1"> risk ${suffix}`;
const ACCOUNT = `"><svg onload=window.__xss=1><script>window.__xss=1</script> ${suffix}`;
const BOT = `'"><img src=x onerror=window.__xss=1><svg onload=window.__xss=1> bot ${suffix}`;
const STRATEGY = `<img src=x onerror=window.__xss=1> strategy ${suffix}`;

declare global {
  interface Window {
    __xss?: unknown;
    __xssReport?: (value: string) => void;
  }
}

/** Per page: every value a script assigned to window.__xss, and every dialog opened. */
const xssHits = new WeakMap<Page, string[]>();
const dialogs = new WeakMap<Page, string[]>();

/** A fresh page (one per test) that reports any run of the payloads, signed in at `path`. */
async function open(path: string) {
  page = await newPage(browser);
  const hits: string[] = [];
  const opened: string[] = [];
  xssHits.set(page, hits);
  dialogs.set(page, opened);
  await page.exposeFunction("__xssReport", (value: string) => hits.push(`${pathOf(page)}: window.__xss = ${value}`));
  await page.addInitScript(() => {
    let value: unknown;
    Object.defineProperty(window, "__xss", {
      configurable: true,
      get: () => value,
      set: (next: unknown) => {
        value = next;
        window.__xssReport?.(String(next));
      },
    });
  });
  page.on("dialog", (dialog) => {
    opened.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await openPath(page, path);
  await signIn(page, USERNAME, PASSWORD);
}

/** What the payloads would have left in the DOM had they been parsed as HTML. */
function injected(): Promise<string[]> {
  return page.evaluate(() => [
    ...Array.from(document.querySelectorAll('img[src="x"], svg[onload], [onerror], [onload]'), (element) => element.outerHTML),
    ...Array.from(document.scripts)
      .filter((script) => script.textContent?.includes("__xss"))
      .map((script) => script.outerHTML),
  ]);
}

/**
 * The page (once `ready` is shown) shows each of `names` as text, injected nothing and ran nothing.
 * `options` are names expected only inside a <select>'s options (the select itself visible).
 */
async function expectInert(where: string, ready: string, names: string[], options: { select: string; name: string }[] = []) {
  await page.locator(ready).first().waitFor();
  // An <img src=x onerror> would fire once its request fails: give it the time to.
  await sleep(300);
  expect(xssHits.get(page), `${where}: payload ran`).toEqual([]);
  expect(await page.evaluate(() => window.__xss), `${where}: window.__xss`).toBeUndefined();
  expect(await injected(), `${where}: elements injected`).toEqual([]);
  expect(dialogs.get(page), `${where}: dialogs`).toEqual([]);
  expect(await page.title(), `${where}: document title`).not.toMatch(/[<>]|__xss/);
  for (const name of names) {
    const shown = page.getByText(name).filter({ visible: true });
    await shown.first().waitFor({ timeout: 10_000 }).catch(() => undefined);
    expect(await shown.count(), `${where}: "${name}" shown as text`).toBeGreaterThan(0);
  }
  for (const { select, name } of options) {
    const list = page.getByTestId(select);
    expect(await list.isVisible(), `${where}: ${select} visible`).toBe(true);
    const texts = await list.locator("option").allTextContents();
    expect(texts.some((text) => text.includes(name)), `${where}: "${name}" among ${select}'s options ${JSON.stringify(texts)}`).toBe(true);
  }
}

/** The same request the app makes, with the session and the CSRF token of the signed-in page. */
function api<T>(method: string, path: string, body?: object): Promise<{ status: number; data: T }> {
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

const made = { bot: 0, account: 0, profile: 0, strategy: 0, run: 0, sweep: 0 };

describe("names with markup", () => {
  afterAll(async () => {
    // Leave the platform as the other scenarios expect it: the bot first (it holds the account).
    const cleanup = await browser.newContext();
    page = await cleanup.newPage();
    await openPath(page, "/risk");
    await signIn(page, USERNAME, PASSWORD);
    await page.getByTestId("risk-profiles").waitFor();
    for (const [id, path] of [
      [made.bot, "/api/execution/bots/"],
      [made.account, "/api/exchanges/accounts/"],
      [made.profile, "/api/risk/profiles/"],
      [made.strategy, "/api/strategies/saved/"],
    ] as const) {
      if (id) expect((await api("DELETE", `${path}${id}/`)).status).toBe(204);
    }
    await cleanup.close();
  });

  it("makes a risk profile, an account, a bot and a saved strategy named with markup, shown as text where made", async () => {
    await open("/risk");
    await page.getByTestId("risk-profiles").waitFor();
    await page.getByTestId("risk-new").click();
    await page.getByTestId("risk-name").fill(RISK);
    await page.getByTestId("risk-save").click();
    await page.getByTestId("risk-profile-form").waitFor({ state: "detached" });
    // Found by id, not by its text: the checks below say whether the text is shown.
    const profiles = await api<{ id: number; name: string }[]>("GET", "/api/risk/profiles/");
    const profile = profiles.data.find((p) => p.name === RISK);
    expect(profile, "the profile stored under its name, unchanged").toBeDefined();
    made.profile = profile!.id;
    const profileRow = page.locator(`[data-testid="risk-row"][data-profile-id="${made.profile}"]`);
    await expectInert("/risk list", `[data-testid="risk-row"][data-profile-id="${made.profile}"]`, [RISK]);
    // The edit form's title and its input; the delete confirmation.
    await profileRow.getByTestId("risk-edit").click();
    expect(await page.getByTestId("risk-name").inputValue()).toBe(RISK);
    await expectInert("/risk edit form", '[data-testid="risk-profile-form"]', [`Edit “${RISK}”`]);
    await page.getByTestId("risk-cancel").click();
    await profileRow.getByTestId("risk-delete").click();
    await expectInert("/risk delete confirmation", '[data-testid="risk-delete-cancel"]', [`Delete “${RISK}”?`]);
    await profileRow.getByTestId("risk-delete-cancel").click();

    await page.getByTestId("nav-accounts").click();
    await page.getByTestId("accounts").waitFor();
    await page.getByTestId("account-new").click();
    await page.getByTestId("account-label").fill(ACCOUNT);
    await page.getByTestId("account-api-key").fill(API_KEY);
    await page.getByTestId("account-secret").fill(SECRET);
    await page.getByTestId("account-save").click();
    await page.getByTestId("account-save").waitFor({ state: "detached" });
    const accounts = await api<{ id: number; label: string }[]>("GET", "/api/exchanges/accounts/");
    const account = accounts.data.find((a) => a.label === ACCOUNT);
    expect(account, "the account stored under its label, unchanged").toBeDefined();
    made.account = account!.id;
    const accountRow = page.locator(`[data-testid="account-row"][data-account-id="${made.account}"]`);
    await expectInert("/accounts list", `[data-testid="account-row"][data-account-id="${made.account}"]`, [ACCOUNT]);
    await accountRow.getByTestId("account-replace-keys").click();
    await expectInert("/accounts replace keys", '[data-testid="account-keys-form"]', [`New keys for “${ACCOUNT}”`]);
    await accountRow.getByTestId("account-keys-cancel").click();
    await accountRow.getByTestId("account-delete").click();
    await expectInert("/accounts delete confirmation", '[data-testid="account-delete-cancel"]', [`Delete “${ACCOUNT}” and its stored credentials?`]);
    await accountRow.getByTestId("account-delete-cancel").click();

    // The bot form lists the account (live mode) and the profile by name.
    await page.getByTestId("nav-bots").click();
    await page.getByTestId("bot-form").waitFor();
    await page.getByTestId("bot-strategy").selectOption("ema-cross");
    await page.getByTestId("bot-mode").selectOption("live");
    await expectInert("/bots form", '[data-testid="bot-account"]', [], [
      { select: "bot-account", name: ACCOUNT },
      { select: "bot-risk", name: RISK },
    ]);
    await page.getByTestId("bot-mode").selectOption("paper");
    await page.getByTestId("bot-name").fill(BOT);
    await page.getByTestId("bot-symbol").selectOption("binance:BTCUSDT");
    await page.getByTestId("bot-risk").selectOption(String(made.profile));
    await page.getByTestId("bot-create").click();
    const storedBot = async () => (await api<{ id: number; name: string }[]>("GET", "/api/execution/bots/")).data.find((b) => b.name === BOT)?.id ?? 0;
    await expect.poll(storedBot, { message: "the bot stored under its name, unchanged" }).toBeGreaterThan(0);
    made.bot = await storedBot();
    await expectInert("/bots list", `[data-testid="bot-row-${made.bot}"]`, [BOT]);

    // Saved strategies: the API keeps the name as sent (no page lists them yet).
    const saved = await api<{ id: number; name: string }>("POST", "/api/strategies/saved/", {
      key: "ema-cross",
      name: STRATEGY,
      params: { fast_period: 12, slow_period: 26 },
    });
    expect(saved.status).toBe(201);
    expect(saved.data.name).toBe(STRATEGY);
    made.strategy = saved.data.id;
    expect(xssHits.get(page)).toEqual([]);
  });

  it("runs a backtest and a sweep under the profile: its name as text on the form, the run and the sweep", async () => {
    expect(made.profile, "the first test made the profile").toBeGreaterThan(0);
    await open("/backtests");
    await page.getByTestId("run-form").waitFor();
    await page.getByTestId("strategy-select").selectOption("ema-cross");
    await page.getByTestId("bt-symbol").selectOption("binance:BTCUSDT");
    await page.getByTestId("bt-start").fill("2024-06-01");
    await page.getByTestId("bt-end").fill("2024-06-08");
    await expectInert("/backtests form", '[data-testid="risk-profile-picker"]', [], [{ select: "risk-profile-picker", name: RISK }]);
    await page.getByTestId("risk-profile-picker").selectOption(String(made.profile));
    await page.getByTestId("run-submit").click();
    await page.locator('[data-testid="run-details"][data-status="done"]').waitFor({ timeout: 90_000 });
    made.run = Number(await page.getByTestId("run-details").getAttribute("data-run-id"));
    await expectInert("/backtests/:id", '[data-testid="risk-report"]', [`sized by the risk profile “${RISK}”`, `Risk profile “${RISK}”`]);
    await page.getByTestId("risk-report").scrollIntoViewIfNeeded();
    await page.getByTestId("run-details").locator(".bt-run__header").scrollIntoViewIfNeeded();
    await page.screenshot({ path: "/tmp/xss-backtest-run.png" });
    await screenshot(page, "60-markup-name-run");

    await page.getByTestId("mode-sweep").click();
    await page.getByTestId("param-fast_period").fill("8, 12");
    await page.getByTestId("risk-profile-picker").selectOption(String(made.profile));
    await page.getByTestId("run-submit").click();
    await page.locator('[data-testid="sweep-view"][data-status="done"]').waitFor({ timeout: 90_000 });
    made.sweep = Number(pathOf(page).split("/").at(-1));
    await expectInert("/backtests/sweeps/:id", '[data-testid="sweep-row"]', [`risk profile “${RISK}”`]);
  });

  it("shows every name as text when each page is opened by its address, and runs nothing", async () => {
    expect(made.bot * made.run * made.sweep, "the tests above made the bot, the run and the sweep").toBeGreaterThan(0);
    await open("/risk");
    await expectInert("/risk", `[data-testid="risk-row"][data-profile-id="${made.profile}"]`, [RISK]);
    // The dashboard names the 5 best and 5 worst bots: this one alone, or among the Bots
    // scenario's 200 when the whole suite ran before, maybe not.
    const leaders = await api<Record<"best" | "worst", { bot: number }[]>>("GET", "/api/execution/dashboard/leaders/");
    const onDashboard = [...leaders.data.best, ...leaders.data.worst].some((row) => row.bot === made.bot) ? [BOT] : [];
    const sweepRun = (await api<{ results: { id: number }[] }>("GET", `/api/analytics/backtests/?sweep=${made.sweep}`)).data.results[0]!.id;
    const pages: [string, string, string[], { select: string; name: string }[]][] = [
      ["/accounts", `[data-testid="account-row"][data-account-id="${made.account}"]`, [ACCOUNT], []],
      ["/bots", `[data-testid="bot-row-${made.bot}"]`, [BOT], [{ select: "bot-risk", name: RISK }]],
      [`/bots/${made.bot}`, ".bot-head h2", [BOT], []],
      ["/dashboard", '[data-testid="dashboard-summary"]', onDashboard, []],
      ["/backtests", '[data-testid="risk-profile-picker"]', [], [{ select: "risk-profile-picker", name: RISK }]],
      [`/backtests/${made.run}`, '[data-testid="risk-report"]', [`sized by the risk profile “${RISK}”`, `Risk profile “${RISK}”`], []],
      [`/backtests/sweeps/${made.sweep}`, '[data-testid="sweep-row"]', [`risk profile “${RISK}”`], []],
      // The run beside one of the sweep's, both under the profile: its name in each column.
      [`/backtests/compare?ids=${made.run},${sweepRun}`, '[data-testid="compare-table"]', [`risk profile “${RISK}”`], []],
    ];
    for (const [path, ready, names, options] of pages) {
      await openPath(page, path);
      await expectInert(path, ready, names, options);
      if (path === `/bots/${made.bot}`) await page.screenshot({ path: "/tmp/xss-bot-page.png" });
    }
    // The same pages reached by the header's links (no reload): nothing ran across them either.
    for (const [nav, ready, names] of [
      ["nav-dashboard", '[data-testid="dashboard-summary"]', onDashboard],
      ["nav-bots", `[data-testid="bot-row-${made.bot}"]`, [BOT]],
      ["nav-risk", `[data-testid="risk-row"][data-profile-id="${made.profile}"]`, [RISK]],
      ["nav-accounts", `[data-testid="account-row"][data-account-id="${made.account}"]`, [ACCOUNT]],
      ["nav-backtests", '[data-testid="run-form"]', []],
    ] as const) {
      await page.getByTestId(nav).click();
      await expectInert(`${nav} link`, ready, [...names]);
    }
    expect(xssHits.get(page)).toEqual([]);
  });
});
