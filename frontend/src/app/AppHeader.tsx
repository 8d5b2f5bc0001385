import { useEffect, useState, type ReactNode } from "react";
import { Link, NavLink, useLocation, useMatches, useNavigate } from "react-router";
import { useCurrentUser, UserMenu } from "@/features/auth";
import { NAV, type PageHandle } from "./nav";

/** The page's title, the page links and the account. On a narrow window (CSS, max-width 900px)
 * the links fold behind a Menu button, closed again whenever the page changes. */
export function AppHeader({ children }: { children?: ReactNode }) {
  const matches = useMatches();
  const handle = matches.at(-1)?.handle as PageHandle | undefined;
  const { pathname } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [pathname]);
  return (
    <header className={`app-header${menuOpen ? " app-header--menu-open" : ""}`}>
      <div className="app-header__title">
        <span className="logo" aria-hidden="true">◆</span>
        <h1>{handle?.title ?? "Bot Trading"}</h1>
        <button
          type="button"
          className="nav-menu-button"
          aria-expanded={menuOpen}
          aria-controls="page-nav"
          data-testid="nav-menu"
          onClick={() => setMenuOpen((open) => !open)}
        >
          <span aria-hidden="true">☰</span> Menu
        </button>
        <nav className="page-nav" id="page-nav" aria-label="Pages">
          {NAV.map((item) => (
            <NavLink key={item.to} to={item.to} end={item.end ?? false} data-testid={item.testId}>
              {item.label}
            </NavLink>
          ))}
        </nav>
        {handle?.subtitle && <span className="muted">{handle.subtitle}</span>}
      </div>
      <div className="app-header__status">
        {children}
        <Account />
      </div>
    </header>
  );
}

/** The user's menu, or a sign-in link (not on the sign-in pages themselves). */
function Account() {
  const user = useCurrentUser();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  if (user.data) return <UserMenu onSignedOut={() => navigate("/login", { replace: true })} />;
  if (user.isPending || pathname === "/login" || pathname === "/signup") return null;
  return (
    <Link to="/login" className="button button--ghost" data-testid="nav-login">
      Sign in
    </Link>
  );
}
