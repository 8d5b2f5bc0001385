/** Epoch seconds -> "2024-06-01" or "2024-06-01 12:05" (UTC). */
export function formatEpoch(seconds: number, withTime = false): string {
  const iso = new Date(seconds * 1000).toISOString();
  return withTime ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
}
