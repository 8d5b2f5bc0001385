// Names for the alerts API's types, GENERATED from the OpenAPI schema (src/lib/api-schema.ts,
// `make api-types`). A channel's URL is write-only: it only ever comes back as `url_hint`.
import type { components } from "@/lib/api-schema";

type Schemas = components["schemas"];

export type Channel = Schemas["Channel"];
export type ChannelCreate = Schemas["ChannelCreate"];
/** PATCH .../<id>/: the fields sent are replaced (a URL sent replaces the stored one). */
export type ChannelUpdate = Schemas["PatchedChannelUpdate"];
export type AlertEvent = Schemas["AlertEventEnum"];
export type Alert = Schemas["Alert"];
export type AlertStatus = Schemas["AlertStatusEnum"];
export type AlertPage = Schemas["PaginatedAlertList"];
/** POST .../<id>/test/: the queued test alert's id (its outcome: GET alerts/<id>/). */
export type TestQueued = Schemas["TestQueued"];
