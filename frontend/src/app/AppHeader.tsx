import type { ReactNode } from "react";
import { pageFromSearch, type Page } from "./pages";

const TITLES: Record<Page, [string, string]> = {
  replay: ["HMA/SMA replay", "multi-timeframe trend strategy, bar by bar"],
  backtests: ["Backtests", "run strategies over stored candles, compare parameters"],
};

export function AppHeader({ children }: { children?: ReactNode }) {
  const page = pageFromSearch(window.location.search);
  const [title, subtitle] = TITLES[page];
  return (
    <header className="app-header">
      <div className="app-header__title">
        <span className="logo" aria-hidden="true">◆</span>
        <h1>{title}</h1>
        <nav className="page-nav" aria-label="Pages">
          <a href="/" className={page === "replay" ? "active" : ""} aria-current={page === "replay" ? "page" : undefined} data-testid="nav-replay">
            Replay
          </a>
          <a
            href="/?page=backtests"
            className={page === "backtests" ? "active" : ""}
            aria-current={page === "backtests" ? "page" : undefined}
            data-testid="nav-backtests"
          >
            Backtests
          </a>
        </nav>
        <span className="muted">{subtitle}</span>
      </div>
      <div className="app-header__status">{children}</div>
    </header>
  );
}
