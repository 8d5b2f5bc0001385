import { Banner } from "@/components/Banner";
import type { SocketStatus } from "@/lib/realtime-socket";
import { CLOSE_UNAUTHENTICATED } from "@/lib/realtime-protocol";

/** Says when the live connection is down (the figures may be stale) and when it resyncs. */
export function ConnectionBanner({ status, synced }: { status: SocketStatus; synced: boolean }) {
  if (status.state === "reconnecting")
    return (
      <Banner tone="warning" title="Live updates disconnected" testId="socket-banner">
        Reconnecting in {Math.ceil(status.retryInMs / 1000)} s (attempt {status.attempt}); the figures below may be out of date until then.
      </Banner>
    );
  if (status.state === "closed" && status.code !== 1000)
    return (
      <Banner tone="error" title="Live updates stopped" testId="socket-banner">
        {status.code === CLOSE_UNAUTHENTICATED ? "Sign in again to see your bots live." : `The server closed the connection (${status.code}): reload the page.`}
      </Banner>
    );
  if (status.state === "open" && !synced)
    return (
      <Banner tone="info" title="Resynchronising" testId="socket-resync">
        Reading your bots again…
      </Banner>
    );
  return null;
}
