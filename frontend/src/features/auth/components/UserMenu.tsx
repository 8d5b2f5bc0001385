import { useCurrentUser, useLogout } from "../api/session";

/** The signed-in user in the header, with sign out and "log out everywhere". */
export function UserMenu({ onSignedOut }: { onSignedOut: () => void }) {
  const user = useCurrentUser();
  const logout = useLogout();
  if (!user.data) return null;
  const signOut = (everywhere: boolean) => logout.mutate({ everywhere }, { onSettled: onSignedOut });
  return (
    <div className="user-menu" data-testid="user-menu">
      <span className="muted" data-testid="user-name">
        {user.data.username}
      </span>
      <button type="button" className="button button--ghost" onClick={() => signOut(false)} disabled={logout.isPending} data-testid="logout">
        Sign out
      </button>
      <button
        type="button"
        className="button button--ghost"
        onClick={() => signOut(true)}
        disabled={logout.isPending}
        title="End every session and API token of this account"
        data-testid="logout-all"
      >
        Log out everywhere
      </button>
      {logout.error && (
        <span className="bt-error" data-testid="logout-error">
          {logout.error.message}
        </span>
      )}
    </div>
  );
}
