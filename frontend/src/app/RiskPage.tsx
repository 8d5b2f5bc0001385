import { RiskProfilesView } from "@/features/risk";
import { AppHeader } from "./AppHeader";

/** /risk: your risk profiles (signed in). */
export function RiskPage() {
  return (
    <div className="app app--scroll">
      <AppHeader />
      <main className="app-main app-main--page">
        <RiskProfilesView />
      </main>
    </div>
  );
}
