import { formatLocalTitle, formatUtc } from "@/lib/time";

/** A moment shown in UTC, the browser's local time on hover. */
export function UtcTime({ epochSeconds, testId }: { epochSeconds: number; testId?: string }) {
  return (
    <time dateTime={new Date(epochSeconds * 1000).toISOString()} title={formatLocalTitle(epochSeconds)} data-testid={testId}>
      {formatUtc(epochSeconds)}
    </time>
  );
}
