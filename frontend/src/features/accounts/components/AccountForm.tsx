import { useState, type FormEvent } from "react";
import { ApiError } from "@/lib/api-client";
import { useCreateAccount } from "../api/accounts";
import type { AccountEnvironment } from "../api/types";
import { buildAccountBody, clearedAccountForm, initialAccountForm, type AccountFormErrors, type AccountFormState } from "../model/account-form";
import { Field } from "@/components/Field";

/** Form key -> the API's field name (what errors are keyed by). */
const FIELD_OF: Record<keyof AccountFormState, string> = {
  label: "label",
  exchange: "exchange",
  environment: "environment",
  apiKey: "api_key",
  secret: "secret",
  passphrase: "passphrase",
};

/**
 * Add an exchange account. Key, secret and passphrase are typed into password inputs and sent
 * once; the API never answers them back (only the key's last 4 characters), and the form forgets
 * them as soon as the account is stored.
 */
export function AccountForm(props: { onDone: () => void; onAdded: (id: number) => void }) {
  const [form, setForm] = useState<AccountFormState>(initialAccountForm);
  const [localErrors, setLocalErrors] = useState<AccountFormErrors>({});
  const create = useCreateAccount();
  const serverErrors = create.error instanceof ApiError && create.error.kind === "bad-request" ? create.error.fieldErrors : {};
  const errors = { ...serverErrors, ...localErrors };
  const otherError = create.error && !(create.error instanceof ApiError && create.error.kind === "bad-request") ? create.error.message : null;
  const generalError = errors.detail ?? errors.non_field_errors;

  const set = <K extends keyof AccountFormState>(key: K, value: AccountFormState[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    // An error stays under its field until the field is changed.
    const field = FIELD_OF[key];
    setLocalErrors(({ [field]: _gone, ...rest }) => rest);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.reset();
    const result = buildAccountBody(form);
    setLocalErrors(result.errors ?? {});
    if (!result.body) return;
    create.mutate(result.body, {
      onSuccess: (account) => {
        setForm(clearedAccountForm);
        props.onAdded(account.id);
      },
    });
  };

  return (
    <form className="bt-card bt-form acct-form" onSubmit={submit} data-testid="account-form" noValidate autoComplete="off">
      <h3>Add an exchange account</h3>
      <p className="muted small">
        Create an API key on the exchange with trading permission and <strong>without withdrawal permission</strong>. Key, secret and
        passphrase are stored encrypted and never shown again: the list only shows the key's last 4 characters.
      </p>
      <div className="bt-grid">
        <Field label="Label" error={errors.label}>
          <input name="label" data-testid="account-label" value={form.label} maxLength={100} autoFocus onChange={(e) => set("label", e.target.value)} />
        </Field>
        <Field label="Exchange (ccxt id)" error={errors.exchange}>
          <input name="exchange" data-testid="account-exchange" value={form.exchange} onChange={(e) => set("exchange", e.target.value)} />
        </Field>
        <Field label="Environment" error={errors.environment}>
          <select name="environment" data-testid="account-environment" value={form.environment} onChange={(e) => set("environment", e.target.value as AccountEnvironment)}>
            <option value="live">live</option>
            <option value="testnet">testnet</option>
          </select>
        </Field>
        <Field label="API key" error={errors.api_key}>
          <SecretInput name="api_key" testId="account-api-key" value={form.apiKey} onChange={(v) => set("apiKey", v)} />
        </Field>
        <Field label="Secret" error={errors.secret}>
          <SecretInput name="secret" testId="account-secret" value={form.secret} onChange={(v) => set("secret", v)} />
        </Field>
        <Field label="Passphrase (okx, kucoin…; else empty)" error={errors.passphrase}>
          <SecretInput name="passphrase" testId="account-passphrase" value={form.passphrase} onChange={(v) => set("passphrase", v)} />
        </Field>
      </div>
      {generalError && <p className="bt-error" role="alert">{generalError}</p>}
      <FormActions
        error={otherError}
        errorTestId="account-form-error"
        pending={create.isPending}
        submit={["Add account", "Adding…", "account-save"]}
        onCancel={props.onDone}
        cancelTestId="account-cancel"
      />
    </form>
  );
}


/** A credential's input: masked, never autofilled or spell-checked (nothing leaves the page). */
export function SecretInput(props: { testId: string; value: string; onChange: (value: string) => void; name?: string; autoFocus?: boolean }) {
  return (
    <input
      name={props.name}
      data-testid={props.testId}
      type="password"
      autoComplete="new-password"
      spellCheck={false}
      autoFocus={props.autoFocus}
      value={props.value}
      onChange={(e) => props.onChange(e.target.value)}
    />
  );
}

/** A form's other error, its submit button (label, label while pending, test id) and Cancel. */
export function FormActions(props: { error: string | null; errorTestId: string; pending: boolean; submit: [string, string, string]; onCancel: () => void; cancelTestId: string }) {
  const [label, pendingLabel, submitTestId] = props.submit;
  return (
    <>
      {props.error && (
        <p className="bt-error" role="alert" data-testid={props.errorTestId}>
          {props.error}
        </p>
      )}
      <div className="bt-actions">
        <button type="submit" className="button" disabled={props.pending} data-testid={submitTestId}>
          {props.pending ? pendingLabel : label}
        </button>{" "}
        <button type="button" onClick={props.onCancel} data-testid={props.cancelTestId}>
          Cancel
        </button>
      </div>
    </>
  );
}
