import { useState, type FormEvent } from "react";
import { ApiError } from "@/lib/api-client";
import { useUpdateAccount } from "../api/accounts";
import type { ExchangeAccount } from "../api/types";
import { buildKeysBody, emptyKeysForm, type AccountFormErrors, type KeysFormState } from "../model/account-form";
import { Field } from "@/components/Field";
import { FormActions, SecretInput } from "./AccountForm";

/**
 * New keys for an account (the exchange rotated them, or they leaked): typed into password
 * inputs, sent once, forgotten by the page once stored. The account keeps its bots; its last
 * check is forgotten until Check proves the new keys.
 */
export function KeysForm(props: { account: ExchangeAccount; onDone: (replaced: boolean) => void }) {
  const [form, setForm] = useState<KeysFormState>(emptyKeysForm);
  const [localErrors, setLocalErrors] = useState<AccountFormErrors>({});
  const update = useUpdateAccount();
  const serverErrors = update.error instanceof ApiError && update.error.kind === "bad-request" ? update.error.fieldErrors : {};
  const errors = { ...serverErrors, ...localErrors };
  const otherError = update.error && !(update.error instanceof ApiError && update.error.kind === "bad-request") ? update.error.message : null;
  const set = (key: keyof KeysFormState, field: string, value: string) => {
    setForm((f) => ({ ...f, [key]: value }));
    setLocalErrors(({ [field]: _gone, ...rest }) => rest);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.reset();
    const result = buildKeysBody(form, props.account.has_passphrase);
    setLocalErrors(result.errors ?? {});
    if (!result.body) return;
    update.mutate(
      { id: props.account.id, body: result.body },
      {
        onSuccess: () => {
          setForm(emptyKeysForm);
          props.onDone(true);
        },
      },
    );
  };
  return (
    <form className="bt-form acct-keys" onSubmit={submit} data-testid="account-keys-form" noValidate autoComplete="off">
      <p className="muted small">New keys for “{props.account.label}”: its bots keep trading through it once Check passes.</p>
      <div className="bt-grid">
        <Field label="New API key" error={errors.api_key}>
          <SecretInput testId="account-keys-api-key" autoFocus value={form.apiKey} onChange={(v) => set("apiKey", "api_key", v)} />
        </Field>
        <Field label="New secret" error={errors.secret}>
          <SecretInput testId="account-keys-secret" value={form.secret} onChange={(v) => set("secret", "secret", v)} />
        </Field>
        <Field label={props.account.has_passphrase ? "New passphrase" : "Passphrase (if the exchange uses one)"} error={errors.passphrase}>
          <SecretInput testId="account-keys-passphrase" value={form.passphrase} onChange={(v) => set("passphrase", "passphrase", v)} />
        </Field>
      </div>
      <FormActions
        error={otherError}
        errorTestId="account-keys-error"
        pending={update.isPending}
        submit={["Save new keys", "Saving…", "account-keys-save"]}
        onCancel={() => props.onDone(false)}
        cancelTestId="account-keys-cancel"
      />
    </form>
  );
}
