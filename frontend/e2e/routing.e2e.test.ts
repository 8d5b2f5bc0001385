// Real URLs (React Router + Django's catch-all): deep links, reloads, back/forward, old ?page=
// links, not-found, and the browser holding no token (only the HttpOnly session cookie).
// Needs the `demo` user, BTCUSDT 5m candles in June 2024 and a Celery worker, as backtests.e2e.
import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { BASE_URL } from "./support/env";
import { manageBrowser, newPage, openPath, pathOf, screenshot, signIn } from "./support/browser";
import { api } from "./support/signed-in-data";

const USERNAME = process.env.E2E_USERNAME ?? "demo";
const PASSWORD = process.env.E2E_PASSWORD ?? "demo-pass-123";

let browser: Browser;
let page: Page;

manageBrowser(
  (launched) => (browser = launched),
  () => page,
);

async function queueRun(): Promise<string> {
  await page.getByTestId("strategy-select").selectOption("ema-cross");
  await page.getByTestId("bt-symbol").selectOption("binance:BTCUSDT");
  await page.getByTestId("bt-start").fill("2024-06-01");
  await page.getByTestId("bt-end").fill("2024-06-03");
  await page.getByTestId("run-submit").click();
  const details = page.getByTestId("run-details");
  await details.waitFor();
  return (await details.getAttribute("data-run-id")) ?? "";
}

const runShown = (p: Page, id: string) => p.locator(`[data-testid="run-details"][data-run-id="${id}"]`).waitFor();

describe("routes", () => {
  it("keeps a run's URL through a reload, a new tab, back/forward and an old ?page= link", async () => {
    page = await newPage(browser);
    // What /ws/backtests/ pushes to this page.
    const pushed: { id: number; status: string }[] = [];
    page.on("websocket", (socket) => {
      if (!socket.url().endsWith("/ws/backtests/")) return;
      socket.on("framereceived", ({ payload }) => {
        const message = JSON.parse(String(payload)) as { type: string; run?: { id: number; status: string } };
        if (message.type === "run" && message.run) pushed.push(message.run);
      });
    });
    await openPath(page, "/backtests");
    await signIn(page, USERNAME, PASSWORD);
    await page.getByTestId("run-form").waitFor();
    await page.locator('[data-testid="backtests"][data-pushed="true"]').waitFor();
    const runId = await queueRun();
    expect(pathOf(page)).toBe(`/backtests/${runId}`);
    // Pushed progress: the run finishes on screen, and the socket carried its states.
    await page.locator(`[data-testid="run-details"][data-status="done"]`).waitFor({ timeout: 90_000 });
    // The page may read "done" over HTTP a moment before the socket's "done" frame lands.
    const states = () => pushed.filter((r) => r.id === Number(runId)).map((r) => r.status);
    await expect.poll(() => states().at(-1)).toBe("done");
    expect(states()).toContain("running");

    await page.reload();
    await runShown(page, runId);
    expect(await page.getByTestId("login-form").count()).toBe(0);

    const tab = await page.context().newPage();
    await openPath(tab, `/backtests/${runId}`);
    await runShown(tab, runId);
    await openPath(tab, `/?page=backtests&run=${runId}`);
    await runShown(tab, runId);
    expect(pathOf(tab)).toBe(`/backtests/${runId}`);
    await tab.close();

    await page.getByTestId("nav-replay").click();
    await page.getByTestId("playback").waitFor();
    expect(pathOf(page).startsWith("/?") || pathOf(page) === "/").toBe(true);
    await page.goBack();
    await runShown(page, runId);
    await page.goForward();
    await page.getByTestId("playback").waitFor();

    // The browser holds no token: nothing in web storage, and the session cookie is HttpOnly.
    const storage = await page.evaluate(() => ({
      local: localStorage.length,
      session: sessionStorage.length,
      cookies: document.cookie,
    }));
    expect(storage.local).toBe(0);
    expect(storage.session).toBe(0);
    expect(storage.cookies).not.toContain("sessionid");
    expect((await page.context().cookies()).find((c) => c.name === "sessionid")?.httpOnly).toBe(true);

    // Another browser, signed out: the deep link goes through sign-in and comes back to the run.
    const other = await newPage(browser);
    try {
      await openPath(other, `/backtests/${runId}`);
      await other.getByTestId("login-form").waitFor();
      expect(pathOf(other)).toBe(`/login?next=${encodeURIComponent(`/backtests/${runId}`)}`);
      await screenshot(other, "30-deep-link-sign-in");
      await signIn(other, USERNAME, PASSWORD);
      await runShown(other, runId);
      expect(pathOf(other)).toBe(`/backtests/${runId}`);
    } finally {
      await other.context().close();
    }
  });

  it("keeps a comparison's URL through sign-in and a reload", async () => {
    page = await newPage(browser);
    await openPath(page, "/backtests");
    await signIn(page, USERNAME, PASSWORD);
    await page.getByTestId("runs-list").waitFor();
    // A run of its own (queued is enough: the comparison shows runs in any state) and the newest other.
    const made = await api<{ id: number }>(page, "POST", "/api/analytics/backtests/", {
      strategy: "ema-cross",
      symbol: "BTCUSDT",
      start: "2024-06-01",
      end: "2024-06-02",
    });
    expect(made.status).toBe(202);
    const newest = await page.locator(`[data-testid="runs-list-row"]:not([data-run-id="${made.data.id}"])`).first().getAttribute("data-run-id");
    const ids = [String(made.data.id), newest];
    const path = `/backtests/compare?ids=${ids.join(",")}`;
    const other = await newPage(browser);
    try {
      await openPath(other, path);
      await other.getByTestId("login-form").waitFor();
      await signIn(other, USERNAME, PASSWORD);
      await other.locator(`[data-testid="compare-view"][data-runs="${ids.join(",")}"]`).waitFor();
      expect(pathOf(other)).toBe(path);
      await other.reload();
      await other.locator(`[data-testid="compare-view"][data-runs="${ids.join(",")}"]`).waitFor();
      expect(await other.getByTestId("nav-backtests").getAttribute("class")).toContain("active");
    } finally {
      await other.context().close();
    }
  });

  it("says 'not found' for unknown pages and keeps the API's own 404s", async () => {
    page = await newPage(browser);
    await openPath(page, "/no/such/page");
    await page.getByTestId("not-found").waitFor();
    await screenshot(page, "31-not-found");
    // The sign-up page is a page of its own, linked both ways with the sign-in page.
    await openPath(page, "/signup?next=%2Fbacktests%2F3");
    await page.getByTestId("signup-form").waitFor();
    await screenshot(page, "35-signup-page");
    await page.getByTestId("to-login").click();
    await page.getByTestId("login-form").waitFor();
    expect(pathOf(page)).toBe("/login?next=%2Fbacktests%2F3");
    const api = await page.request.get(`${BASE_URL}/api/no-such-endpoint/`);
    // Not the app's index.html with status 200: a real 404 (its JSON body is issue 9's).
    expect(api.status()).toBe(404);
    expect(await api.text()).not.toContain('id="root"');
    const asset = await page.request.get(`${BASE_URL}/assets/no-such-file.js`);
    expect(asset.status()).toBe(404);
    expect(await asset.text()).not.toContain('id="root"');
  });

  it("signs out: the session ends and the backtests ask to sign in again", async () => {
    page = await newPage(browser);
    await openPath(page, "/backtests");
    await signIn(page, USERNAME, PASSWORD);
    await page.getByTestId("run-form").waitFor();
    expect(await page.getByTestId("user-name").textContent()).toBe(USERNAME);
    await screenshot(page, "32-signed-in-header");
    await page.getByTestId("logout").click();
    await page.getByTestId("login-form").waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");
    await openPath(page, "/backtests");
    await page.getByTestId("login-form").waitFor();
    const me = await page.request.get(`${BASE_URL}/api/auth/me/`);
    expect([401, 403]).toContain(me.status());
  });
});
