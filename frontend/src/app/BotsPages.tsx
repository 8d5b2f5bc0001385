import { useParams } from "react-router";
import { BotDetailView, BotsView, DashboardView } from "@/features/bots";
import { AppHeader } from "./AppHeader";
import { NotFoundMessage } from "./NotFoundPage";
import { routeId } from "./pages";

function Shell({ children }: { children: React.ReactNode }) {
  return (
    <div className="app app--scroll">
      <AppHeader />
      <main className="app-main">{children}</main>
    </div>
  );
}

/** /bots: every bot, live. */
export function BotsPage() {
  return (
    <Shell>
      <BotsView />
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
