// What every socket feature does with a message and a cached list: pure, unit tested.

/** A socket frame as a JSON object, or null (not a string, not JSON, or not an object). */
export function messageObject(data: unknown): Record<string, unknown> | null {
  if (typeof data !== "string") return null;
  try {
    const message: unknown = JSON.parse(data);
    return message && typeof message === "object" ? (message as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A page of items with `item` replacing the one of its id; null when it is not in the page
 * (or there is no page yet): then the page is read again. */
export function pageWithItem<T extends { id: number }, P extends { results: T[] }>(page: P | undefined, item: T): P | null {
  if (!page) return null;
  const index = page.results.findIndex((r) => r.id === item.id);
  if (index < 0) return null;
  const results = page.results.slice();
  results[index] = item;
  return { ...page, results };
}
