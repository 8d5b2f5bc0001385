// Names for the exchange accounts API's types, GENERATED from the OpenAPI schema
// (src/lib/api-schema.ts, `make api-types`). Secrets are write-only: an account only ever comes
// back with `api_key_hint` ("...a1b2") and `has_passphrase`.
import type { components } from "@/lib/api-schema";

type Schemas = components["schemas"];

export type ExchangeAccount = Schemas["ExchangeAccount"];
export type ExchangeAccountCreate = Schemas["ExchangeAccountCreate"];
/** PATCH .../<id>/: the fields sent are replaced (credentials re-encrypted, the last check forgotten). */
export type ExchangeAccountUpdate = Schemas["PatchedExchangeAccountUpdate"];
export type AccountEnvironment = Schemas["EnvironmentEnum"];
export type LastCheck = Schemas["LastCheck"];
/** POST .../<id>/check/: ok with the non-zero balances, or the refusal in words and its reason. */
export type CheckResult = Schemas["CheckResult"];
/** Decimal strings, as the exchange sent them. */
export type Balance = Schemas["Balance"];
