// GENERATED from apps/realtime/protocol.py by scripts/realtime_types.py: do not edit.
// Regenerate with `make api-types`; make test fails when this file is stale.
/** anonymous: sent before any lookup, so it says nothing of the id */
export const CLOSE_UNAUTHENTICATED = 4401;
/** missing, or another user's: the same answer, no existence oracle */
export const CLOSE_NOT_FOUND = 4404;
/** yours, but in a state the socket cannot serve (a run not done) */
export const CLOSE_NOT_READY = 4409;
/** the per-user cap on open sockets of this kind is reached */
export const CLOSE_TOO_MANY = 4429;
export const CLOSE_UNAVAILABLE = 1013;
/** the handshake, first on every connection (see above) */
export const MESSAGE_READY = "ready";
/** every REALTIME_HEARTBEAT_SECONDS: the connection is alive */
export const MESSAGE_HEARTBEAT = "heartbeat";
/** {"detail": ...}: a client message the socket could not act on */
export const MESSAGE_ERROR = "error";
