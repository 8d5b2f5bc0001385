import { BacktestsView } from "@/features/backtests";
import { useSymbols } from "@/features/symbols";
import { AppHeader } from "./AppHeader";

/** The Backtests page: the symbols list comes from the symbols feature. */
export function BacktestsApp() {
  const symbols = useSymbols();
  const names = symbols.data?.map((s) => s.name) ?? [];
  return (
    <div className="app app--scroll">
      <AppHeader />
      <main className="app-main">
        <BacktestsView symbols={names} />
      </main>
    </div>
  );
}
