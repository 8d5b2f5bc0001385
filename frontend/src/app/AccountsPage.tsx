import { AccountsView } from "@/features/accounts";
import { AppHeader } from "./AppHeader";

/** /accounts: your exchange accounts (signed in). */
export function AccountsPage() {
  return (
    <div className="app app--scroll">
      <AppHeader />
      <main className="app-main app-main--page">
        <AccountsView />
      </main>
    </div>
  );
}
