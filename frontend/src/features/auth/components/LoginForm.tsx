import { useState, type FormEvent, type ReactNode } from "react";
import { useLogin } from "../api/session";
import { loginErrorMessage } from "../model/auth-messages";

/** Username and password -> a session cookie. `footer` holds the link to the sign-up page. */
export function LoginForm({ onSignedIn, footer }: { onSignedIn: () => void; footer?: ReactNode }) {
  const login = useLogin();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ username, password }, { onSuccess: onSignedIn });
  };
  const message = loginErrorMessage(login.error);
  return (
    <form className="bt-card bt-login" onSubmit={submit} data-testid="login-form">
      <h2>Sign in</h2>
      <label className="field">
        Username
        <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
      </label>
      <label className="field">
        Password
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
      </label>
      {message && (
        <p className="bt-error" role="alert" data-testid="login-error">
          {message}
        </p>
      )}
      <button className="button" type="submit" disabled={login.isPending} data-testid="login-submit">
        {login.isPending ? "Signing in…" : "Sign in"}
      </button>
      {footer}
    </form>
  );
}
