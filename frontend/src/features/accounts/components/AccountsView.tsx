import { useEffect, useRef, useState } from "react";
import { UtcTime } from "@/components/UtcTime";
import { isoToEpoch } from "@/lib/time";
import { useCheckAccount, useDeleteAccount, useExchangeAccounts } from "../api/accounts";
import type { ExchangeAccount } from "../api/types";
import { lastCheckSummary } from "../model/check";
import { AccountForm } from "./AccountForm";
import { CheckAnswer } from "./CheckAnswer";
import { KeysForm } from "./KeysForm";

/** The Accounts page: your exchange accounts, add one, check its connection, delete it. */
export function AccountsView() {
  const accounts = useExchangeAccounts();
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<number | null>(null);

  if (accounts.error) return <p className="bt-error" data-testid="accounts-load-error">{accounts.error.message}</p>;
  if (!accounts.data) return <p className="muted">Loading your exchange accounts…</p>;
  const list = accounts.data;

  return (
    <section className="bt-card" data-testid="accounts">
      <h2>Exchange accounts</h2>
      <p className="muted small">
        Bots trade through these accounts. Credentials are stored encrypted and never shown again; <strong>Check</strong> fetches the
        balance through the exchange's API to prove the key works.
      </p>
      {list.length === 0 ? (
        <p className="empty" data-testid="accounts-empty">
          No exchange account yet. Add one with <strong>Add account</strong>: create an API key on the exchange (trading allowed,
          withdrawals not), paste the key and secret, then press <strong>Check</strong>.
        </p>
      ) : (
        <div className="acct-list">
          {list.map((account) => (
            <AccountRow key={account.id} account={account} justAdded={added === account.id} />
          ))}
        </div>
      )}
      {adding ? (
        <AccountForm
          onDone={() => setAdding(false)}
          onAdded={(id) => {
            setAdded(id);
            setAdding(false);
          }}
        />
      ) : (
        <button type="button" className="button" data-testid="account-new" onClick={() => setAdding(true)}>
          Add account
        </button>
      )}
    </section>
  );
}

function AccountRow({ account, justAdded }: { account: ExchangeAccount; justAdded: boolean }) {
  const check = useCheckAccount();
  const remove = useDeleteAccount();
  const [confirming, setConfirming] = useState(false);
  const [replacing, setReplacing] = useState(false);
  const [replaced, setReplaced] = useState(false);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  // Back from the question (Keep, Escape): the keyboard focus returns to the Delete button.
  useEffect(() => {
    if (confirming) asked.current = true;
    // Only when the focus was lost with the question, never taken from elsewhere.
    else if (asked.current && (document.activeElement === null || document.activeElement === document.body)) deleteButton.current?.focus();
  }, [confirming]);
  const last = lastCheckSummary(account.last_check);
  const checkedAt = isoToEpoch(account.last_check.at);
  return (
    <article className="bt-card acct" data-testid="account-row" data-account-id={account.id} data-label={account.label}>
      <header className="acct-head">
        <h3>{account.label}</h3>
        <span className="muted small">
          {account.exchange} · {account.environment} · key <code data-testid="account-hint">{account.api_key_hint}</code>
          {account.has_passphrase ? " · with passphrase" : ""}
        </span>
      </header>
      {justAdded && account.last_check.ok === null && <p className="small">Added. Press Check to test the key against the exchange.</p>}
      {replaced && account.last_check.ok === null && !check.data && (
        <p className="small" data-testid="account-keys-replaced">
          Keys replaced. Press Check to test them against the exchange.
        </p>
      )}
      {check.data ? (
        <CheckAnswer result={check.data} />
      ) : (
        <p className={`small acct-check acct-check--${last.tone}`} data-testid="account-last-check" data-ok={String(account.last_check.ok)}>
          <span>
            {last.tone === "never" ? "" : last.tone === "ok" ? "✓ " : "✗ "}
            {last.text}
          </span>
          {checkedAt !== null && (
            <span className="muted">
              checked <UtcTime epochSeconds={checkedAt} />
            </span>
          )}
        </p>
      )}
      {check.error && (
        <p className="bt-error" role="alert" data-testid="account-check-error">
          {check.error.message}
        </p>
      )}
      {remove.error && (
        <p className="bt-error" role="alert">
          {remove.error.message}
        </p>
      )}
      {replacing && (
        <KeysForm
          account={account}
          onDone={(done) => {
            setReplacing(false);
            if (done) {
              check.reset(); // the last answer was about the old keys
              setReplaced(true);
            }
          }}
        />
      )}
      <div className="acct-actions">
        {confirming ? (
          <span role="group" aria-label={`Delete ${account.label}?`} onKeyDown={(e) => e.key === "Escape" && setConfirming(false)}>
            Delete “{account.label}” and its stored credentials?{" "}
            <button type="button" className="danger" data-testid="account-delete-confirm" autoFocus disabled={remove.isPending} onClick={() => remove.mutate(account.id)}>
              {remove.isPending ? "Deleting…" : "Delete"}
            </button>{" "}
            <button type="button" data-testid="account-delete-cancel" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </span>
        ) : (
          <>
            <button type="button" data-testid="account-check" disabled={check.isPending} onClick={() => check.mutate(account.id)}>
              {check.isPending ? "Checking…" : "Check connection"}
            </button>{" "}
            <button type="button" data-testid="account-replace-keys" disabled={replacing} onClick={() => setReplacing(true)}>
              Replace keys
            </button>{" "}
            <button
              ref={deleteButton}
              type="button"
              data-testid="account-delete"
              onClick={() => {
                remove.reset();
                setConfirming(true);
              }}
            >
              Delete
            </button>
          </>
        )}
      </div>
    </article>
  );
}
