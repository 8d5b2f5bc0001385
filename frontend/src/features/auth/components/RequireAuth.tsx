import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { Spinner } from "@/components/Spinner";
import { useCurrentUser } from "../api/session";
import { loginPathFor } from "../model/next-path";

/** Its children for a signed-in user; otherwise the sign-in page, which comes back here. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const user = useCurrentUser();
  const location = useLocation();
  if (user.isPending) return <Spinner label="Checking your session…" />;
  if (user.error) {
    return (
      <p className="bt-error" data-testid="error-message">
        {user.error.message}
      </p>
    );
  }
  if (!user.data) return <Navigate to={loginPathFor(`${location.pathname}${location.search}`)} replace />;
  return <>{children}</>;
}
