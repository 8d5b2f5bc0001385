// The Accounts page in the browser, against the project's exchange emulator: add an account
// (secrets typed into password inputs, only the key's hint shown back), check it (connected, the
// balances), check one with a wrong secret (the refusal in words), delete with confirmation.
// tests/e2e/test_browser.py starts `python -m emulator` with this key and points
// EXCHANGE_API_HOSTS at it, and passes the key and secret in E2E_EXCHANGE_API_KEY / _SECRET.
import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { manageBrowser, newPage, openPath, pathOf, screenshot, signIn } from "./support/browser";

const USERNAME = process.env.E2E_USERNAME ?? "demo";
const PASSWORD = process.env.E2E_PASSWORD ?? "demo-pass-123";
const API_KEY = process.env.E2E_EXCHANGE_API_KEY ?? "";
const SECRET = process.env.E2E_EXCHANGE_SECRET ?? "";
if (!API_KEY) console.warn("accounts.e2e: SKIPPED, no emulator key (E2E_EXCHANGE_API_KEY): run it through tests/e2e/test_browser.py");

let browser: Browser;
let page: Page;

manageBrowser(
  (launched) => (browser = launched),
  () => page,
);

const suffix = Date.now().toString(36);
const account = (label: string) => page.locator('[data-testid="account-row"]', { hasText: label });

async function addAccount(label: string, apiKey: string, secret: string) {
  await page.getByTestId("account-new").click();
  await page.getByTestId("account-label").fill(label);
  await page.getByTestId("account-api-key").fill(apiKey);
  await page.getByTestId("account-secret").fill(secret);
  await page.getByTestId("account-save").click();
}

const README_KEY = process.env.E2E_README_API_KEY ?? "";
const README_SECRET = process.env.E2E_README_SECRET ?? "";

describe.skipIf(!README_KEY)("the README's exchange emulator walk-through", () => {
  it("adds the documented emulator key on the Accounts page and checks it: connected, its balance", async () => {
    page = await newPage(browser);
    await openPath(page, "/accounts");
    await signIn(page, USERNAME, PASSWORD);
    await page.getByTestId("accounts").waitFor();
    const label = `README emulator ${suffix}`;
    await addAccount(label, README_KEY, README_SECRET);
    const row = account(label);
    await row.waitFor(); // accepted by the form as documented (keys of 8 characters at least)
    await row.getByTestId("account-check").click();
    const answer = row.getByTestId("account-check-result");
    await answer.waitFor();
    expect(await answer.getAttribute("data-ok")).toBe("true");
    expect(await row.locator('[data-testid="account-balances"] tr[data-asset="USDT"]').textContent()).toContain("10,000");
    await screenshot(page, "50b-accounts-readme-key");
  });
});

describe.skipIf(!API_KEY)("exchange accounts", () => {
  it("adds an account with masked secrets, checks it, refuses a wrong secret in words, deletes with confirmation", async () => {
    page = await newPage(browser);
    await openPath(page, "/accounts");
    await signIn(page, USERNAME, PASSWORD);
    await page.getByTestId("accounts").waitFor();
    expect(pathOf(page)).toBe("/accounts");
    if ((await page.getByTestId("account-row").count()) === 0) {
      expect(await page.getByTestId("accounts-empty").textContent()).toContain("Add account");
      await screenshot(page, "50-accounts-empty");
    }

    // The form: secrets in password inputs; a too-short secret named under its field.
    const main = `Main ${suffix}`;
    await page.getByTestId("account-new").click();
    for (const field of ["account-api-key", "account-secret", "account-passphrase"]) {
      expect(await page.getByTestId(field).getAttribute("type")).toBe("password");
    }
    await page.getByTestId("account-label").fill(main);
    await page.getByTestId("account-api-key").fill(API_KEY);
    await page.getByTestId("account-secret").fill("short");
    await page.getByTestId("account-save").click();
    expect(await page.locator('[data-testid="account-secret"] ~ [data-testid="field-error"]').textContent()).toBe("too short: at least 8 characters");
    await page.getByTestId("account-secret").fill(SECRET);
    await screenshot(page, "51-accounts-form");
    await page.getByTestId("account-save").click();
    const row = account(main);
    await row.waitFor();

    // Only the hint comes back: never the key or the secret.
    expect(await row.getByTestId("account-hint").textContent()).toBe(`...${API_KEY.slice(-4)}`);
    const html = await page.content();
    expect(html).not.toContain(API_KEY);
    expect(html).not.toContain(SECRET);
    expect(await row.getByTestId("account-last-check").textContent()).toContain("Not checked yet");

    // A label clash is the API's 400, under the label.
    await addAccount(main, API_KEY, SECRET);
    expect(await page.locator('[data-testid="account-label"] ~ [data-testid="field-error"]').textContent()).toMatch(/label/i);
    await page.getByTestId("account-cancel").click();

    // Check: connected, balances from the emulator.
    await row.getByTestId("account-check").click();
    const answer = row.getByTestId("account-check-result");
    await answer.waitFor();
    expect(await answer.getAttribute("data-ok")).toBe("true");
    expect(await answer.textContent()).toContain("Connected: 2 assets with a balance.");
    expect(await row.locator('[data-testid="account-balances"] tr[data-asset="USDT"]').textContent()).toContain("10,000");
    expect(await row.locator('[data-testid="account-balances"] tr[data-asset="BTC"]').textContent()).toContain("0.5");
    expect(await answer.locator("time").textContent()).toMatch(/ UTC$/);
    expect(await answer.locator("time").getAttribute("title")).toMatch(/^local time: /);
    await screenshot(page, "52-accounts-checked");
    // The answer is stored on the account: a reload shows it as the last check.
    await page.reload();
    await row.locator('[data-testid="account-last-check"][data-ok="true"]').waitFor();
    expect(await row.getByTestId("account-last-check").textContent()).toContain("Connected: 2 assets with a balance.");

    // The right key with a wrong secret: refused, in words.
    const wrong = `Wrong secret ${suffix}`;
    await addAccount(wrong, API_KEY, "not-the-right-secret-123");
    const wrongRow = account(wrong);
    await wrongRow.waitFor();
    await wrongRow.getByTestId("account-check").click();
    const refusal = wrongRow.getByTestId("account-check-result");
    await refusal.waitFor();
    expect(await refusal.getAttribute("data-ok")).toBe("false");
    expect(await refusal.getAttribute("data-reason")).toBe("bad_signature");
    expect(await refusal.textContent()).toContain("Bad signature: the secret does not belong to this API key");
    expect(await refusal.getByTestId("account-check-advice").textContent()).toContain("Replace keys");
    // The first account still shows its stored success.
    expect(await row.getByTestId("account-last-check").getAttribute("data-ok")).toBe("true");
    await screenshot(page, "53-accounts-refused");

    // Replace the keys (a rotation): the empty form names its fields; new keys forget the last
    // check until Check proves them; a wrong secret is refused, the right one connects again.
    const replaceKeys = async (apiKey: string, secret: string) => {
      await row.getByTestId("account-replace-keys").click();
      await row.getByTestId("account-keys-api-key").fill(apiKey);
      await row.getByTestId("account-keys-secret").fill(secret);
      await row.getByTestId("account-keys-save").click();
      await row.getByTestId("account-keys-replaced").waitFor();
    };
    await row.getByTestId("account-replace-keys").click();
    await row.getByTestId("account-keys-save").click();
    expect(await row.locator('[data-testid="account-keys-form"] [data-testid="field-error"]').allTextContents()).toEqual(["required", "required"]);
    await screenshot(page, "56-accounts-replace-keys");
    await row.getByTestId("account-keys-cancel").click();
    await replaceKeys(API_KEY, "a-wrong-rotated-secret-1");
    expect(await row.getByTestId("account-last-check").textContent()).toContain("Not checked yet");
    await row.getByTestId("account-check").click();
    await row.locator('[data-testid="account-check-result"][data-ok="false"]').waitFor();
    expect(await row.getByTestId("account-check-result").getAttribute("data-reason")).toBe("bad_signature");
    await replaceKeys(API_KEY, SECRET);
    await row.getByTestId("account-check").click();
    await row.locator('[data-testid="account-check-result"][data-ok="true"]').waitFor();
    expect(await page.content()).not.toContain(SECRET);

    // Delete: asks first; Keep keeps it, Delete removes it.
    await wrongRow.getByTestId("account-delete").click();
    expect(await wrongRow.textContent()).toContain(`Delete “${wrong}” and its stored credentials?`);
    await screenshot(page, "54-accounts-delete-confirm");
    await wrongRow.getByTestId("account-delete-cancel").click();
    expect(await account(wrong).count()).toBe(1);
    // From the keyboard: Enter asks, Escape keeps it.
    await wrongRow.getByTestId("account-delete").focus();
    await page.keyboard.press("Enter");
    await wrongRow.getByTestId("account-delete-confirm").waitFor();
    await page.keyboard.press("Escape");
    await wrongRow.getByTestId("account-delete").waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("account-delete");
    for (const label of [wrong, main]) {
      await account(label).getByTestId("account-delete").click();
      await account(label).getByTestId("account-delete-confirm").click();
      await account(label).waitFor({ state: "detached" });
    }
    await screenshot(page, "55-accounts-deleted");
  });
});
