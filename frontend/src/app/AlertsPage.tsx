import { AlertsView } from "@/features/alerts";
import { AppHeader } from "./AppHeader";

/** /alerts: your alert channels and recent alerts (signed in). */
export function AlertsPage() {
  return (
    <div className="app app--scroll">
      <AppHeader />
      <main className="app-main app-main--page">
        <AlertsView />
      </main>
    </div>
  );
}
