import { Link } from "react-router";
import { Banner } from "@/components/Banner";
import { AppHeader } from "./AppHeader";

export function NotFoundMessage() {
  return (
    <Banner tone="info" title="No such page" testId="not-found">
      <p>
        This address is not a page of the app. Go to the <Link to="/">replay</Link> or your <Link to="/backtests">backtests</Link>.
      </p>
    </Banner>
  );
}

export function NotFoundPage() {
  return (
    <div className="app app--scroll">
      <AppHeader />
      <main className="app-main">
        <NotFoundMessage />
      </main>
    </div>
  );
}
