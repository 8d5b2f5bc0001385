// Which page the app shows: ?page=backtests, else the replay (the default, so replay links keep working).
export type Page = "replay" | "backtests";

export function pageFromSearch(search: string): Page {
  return new URLSearchParams(search).get("page") === "backtests" ? "backtests" : "replay";
}
