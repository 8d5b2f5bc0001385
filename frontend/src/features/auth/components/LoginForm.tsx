import { useState, type FormEvent } from "react";
import { ApiError } from "@/lib/api-client";
import { useLogin } from "../api/login";

export function LoginForm() {
  const login = useLogin();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ username, password });
  };
  const error = login.error;
  const message =
    error instanceof ApiError && error.kind === "bad-request"
      ? "Wrong username or password."
      : error
        ? error.message
        : null;
  return (
    <form className="bt-card bt-login" onSubmit={submit} data-testid="login-form">
      <h2>Sign in to run backtests</h2>
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
        <p className="bt-error" data-testid="login-error">
          {message}
        </p>
      )}
      <button className="button" type="submit" disabled={login.isPending} data-testid="login-submit">
        {login.isPending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
