import { useLocation, useParams } from "react-router";
import { BotDetailView, BotsView, DashboardView } from "@/features/bots";
import { AppHeader } from "./AppHeader";
import { NotFoundMessage } from "./NotFoundPage";
import { preselectedStrategy, routeId } from "./pages";

function Shell({ children }: { children: React.ReactNode }) {
  return (
    <div className="app app--scroll">
      <AppHeader />
      <main className="app-main">{children}</main>
    </div>
  );
}

/** /bots: every bot, live; `?strategy=<key>` chooses the new-bot form's strategy. */
export function BotsPage() {
  const initialStrategy = preselectedStrategy(useLocation().search);
  return (
    <Shell>
      <BotsView initialStrategy={initialStrategy} />
    </Shell>
  );
}

/** /bots/<id>: one bot. */
export function BotPage() {
  const id = routeId(useParams().botId);
  return <Shell>{id === null ? <NotFoundMessage /> : <BotDetailView key={id} botId={id} />}</Shell>;
}

/** /dashboard: the landing page once signed in. */
export function DashboardPage() {
  return (
    <Shell>
      <DashboardView />
    </Shell>
  );
}
