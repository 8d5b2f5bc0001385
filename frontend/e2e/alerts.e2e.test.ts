// The Alerts page: a channel added with an apprise URL (a 400 under the URL field first), its
// secret never shown again, a test alert sent by the real Celery worker to a local JSON webhook
// (this file's own HTTP server), and the channel deleted. Needs the `demo` user and the worker
// next to the server (tests/e2e/test_browser.py), which serves every queue (notifications too).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manageBrowser, newPage, openPath, pageErrors, screenshot, signIn } from "./support/browser";

const USERNAME = process.env.E2E_USERNAME ?? "demo";
const PASSWORD = process.env.E2E_PASSWORD ?? "demo-pass-123";
const HOOK_PASSWORD = `hook-pw-${Date.now().toString(36)}`;

let browser: Browser;
let page: Page;
manageBrowser(
  (launched) => (browser = launched),
  () => page,
);

// The webhook: every POST it receives (apprise's json:// sends one JSON body per alert).
const received: { path: string; body: Record<string, unknown> }[] = [];
let hook: Server;
beforeAll(async () => {
  hook = createServer((request, response) => {
    let text = "";
    request.on("data", (chunk) => (text += chunk));
    request.on("end", () => {
      received.push({ path: request.url ?? "", body: JSON.parse(text || "{}") as Record<string, unknown> });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((done) => hook.listen(0, "127.0.0.1", done));
});
afterAll(() => new Promise<void>((done) => hook.close(() => done())));

describe("alerts", () => {
  it("adds a channel, never shows its secret again, sends a test through the worker, deletes it", async () => {
    page = await newPage(browser);
    await openPath(page, "/alerts");
    await signIn(page, USERNAME, PASSWORD);
    await page.getByTestId("alert-channels").waitFor();
    await page.getByTestId("alert-channel-new").click();
    await page.getByTestId("alert-channel-name").fill("e2e webhook");
    await page.getByTestId("alert-channel-url").fill("nope://not-a-service");
    await page.getByTestId("alert-event-fill").check();
    await page.getByTestId("alert-channel-save").click();
    // The API's 400 names the URL field; it is shown under it.
    await expect.poll(() => page.getByTestId("alert-channel-form").locator(".bt-error").first().textContent()).toBeTruthy();
    await screenshot(page, "70-alerts-invalid-url");

    const port = (hook.address() as AddressInfo).port;
    await page.getByTestId("alert-channel-url").fill(`json://e2e:${HOOK_PASSWORD}@127.0.0.1:${port}/hook`);
    await page.getByTestId("alert-event-stalled").check();
    await page.getByTestId("alert-channel-save").click();
    const row = page.locator('[data-testid="alert-channel-row"][data-name="e2e webhook"]');
    await row.waitFor();
    expect(await row.getByTestId("alert-channel-hint").textContent()).toContain("json://");
    expect(await page.content()).not.toContain(HOOK_PASSWORD); // the secret never comes back
    const listed = await page.evaluate(async () => await (await fetch("/api/notifications/channels/")).text());
    expect(listed).not.toContain(HOOK_PASSWORD);

    await row.getByTestId("alert-channel-test").click();
    await expect.poll(() => received.length, { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
    expect(received[0]!.path).toBe("/hook");
    expect(JSON.stringify(received[0]!.body)).toMatch(/test/i);
    await expect.poll(() => row.getByTestId("alert-test-result").getAttribute("data-status"), { timeout: 30_000 }).toBe("sent");
    await screenshot(page, "71-alerts-test-sent");

    await row.getByTestId("alert-channel-delete").click();
    await row.getByTestId("alert-channel-delete-confirm").click();
    await expect.poll(() => page.locator('[data-testid="alert-channel-row"][data-name="e2e webhook"]').count()).toBe(0);
    expect(pageErrors(page)).toEqual([]);
  });
});
