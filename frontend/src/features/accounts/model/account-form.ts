// The add-account form as plain data, checked before sending the way the API checks it
// (docs/exchanges.md), and turned into the request body. Pure: unit tested.
import type { AccountEnvironment, ExchangeAccountCreate, ExchangeAccountUpdate } from "../api/types";

export interface AccountFormState {
  label: string;
  exchange: string;
  environment: AccountEnvironment;
  apiKey: string;
  secret: string;
  passphrase: string;
}

/** Field name as the API names it -> message. */
export type AccountFormErrors = Record<string, string>;

export function initialAccountForm(): AccountFormState {
  return { label: "", exchange: "binance", environment: "live", apiKey: "", secret: "", passphrase: "" };
}

/** The form after a successful add: nothing secret stays in the page's memory. */
export function clearedAccountForm(form: AccountFormState): AccountFormState {
  return { ...form, label: "", apiKey: "", secret: "", passphrase: "" };
}

const MIN_CREDENTIAL = 8;

/** A credential as the API accepts it: not empty, no spaces or line breaks, at least 8 characters. */
export function credentialProblem(value: string): string | null {
  if (value === "") return "required";
  if (/\s/.test(value)) return "contains spaces or line breaks: paste it again without them";
  if (value.length < MIN_CREDENTIAL) return `too short: at least ${MIN_CREDENTIAL} characters`;
  return null;
}

export function buildAccountBody(form: AccountFormState): { body: ExchangeAccountCreate; errors: null } | { body: null; errors: AccountFormErrors } {
  const errors: AccountFormErrors = {};
  const label = form.label.trim();
  if (!label) errors.label = "required";
  else if (label.length > 100) errors.label = "at most 100 characters";
  const exchange = form.exchange.trim().toLowerCase();
  if (!exchange) errors.exchange = "required";
  else if (!/^[a-z0-9]+$/.test(exchange)) errors.exchange = "a ccxt exchange id, e.g. binance";
  const key = credentialProblem(form.apiKey);
  if (key) errors.api_key = key;
  const secret = credentialProblem(form.secret);
  if (secret) errors.secret = secret;
  const passphrase = form.passphrase === "" ? null : credentialProblem(form.passphrase);
  if (passphrase) errors.passphrase = passphrase;
  if (Object.keys(errors).length > 0) return { body: null, errors };
  return {
    body: { label, exchange, environment: form.environment, api_key: form.apiKey, secret: form.secret, passphrase: form.passphrase },
    errors: null,
  };
}

/** New keys for an account (the exchange rotated them): key and secret, the passphrase if any. */
export interface KeysFormState {
  apiKey: string;
  secret: string;
  passphrase: string;
}

export const emptyKeysForm = (): KeysFormState => ({ apiKey: "", secret: "", passphrase: "" });

export function buildKeysBody(form: KeysFormState, hasPassphrase: boolean): { body: ExchangeAccountUpdate; errors: null } | { body: null; errors: AccountFormErrors } {
  const errors: AccountFormErrors = {};
  const key = credentialProblem(form.apiKey);
  if (key) errors.api_key = key;
  const secret = credentialProblem(form.secret);
  if (secret) errors.secret = secret;
  // An account that has a passphrase needs the new one with the new key.
  const passphrase = form.passphrase === "" && !hasPassphrase ? null : credentialProblem(form.passphrase);
  if (passphrase) errors.passphrase = passphrase;
  if (Object.keys(errors).length > 0) return { body: null, errors };
  const body: ExchangeAccountUpdate = { api_key: form.apiKey, secret: form.secret };
  if (form.passphrase !== "") body.passphrase = form.passphrase;
  return { body, errors: null };
}
