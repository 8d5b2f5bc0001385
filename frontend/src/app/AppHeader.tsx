import type { ReactNode } from "react";

export function AppHeader({ children }: { children?: ReactNode }) {
  return (
    <header className="app-header">
      <div className="app-header__title">
        <span className="logo" aria-hidden="true">◆</span>
        <h1>HMA/SMA replay</h1>
        <span className="muted">multi-timeframe trend strategy, bar by bar</span>
      </div>
      <div className="app-header__status">{children}</div>
    </header>
  );
}
