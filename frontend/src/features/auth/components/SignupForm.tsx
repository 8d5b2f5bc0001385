import { useState, type FormEvent, type ReactNode } from "react";
import { useSignup } from "../api/session";
import { signupErrors, type SignupField } from "../model/auth-messages";

/** A new account (the API applies Django's password rules and names the field it refuses). */
export function SignupForm({ onSignedUp, footer }: { onSignedUp: () => void; footer?: ReactNode }) {
  const signup = useSignup();
  const [values, setValues] = useState<Record<SignupField, string>>({ username: "", email: "", password: "" });
  const errors = signupErrors(signup.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signup.mutate(values, { onSuccess: onSignedUp });
  };
  const field = (name: SignupField, label: string, type: string, autoComplete: string) => (
    <label className="field">
      {label}
      <input
        name={name}
        type={type}
        autoComplete={autoComplete}
        value={values[name]}
        onChange={(e) => setValues({ ...values, [name]: e.target.value })}
        aria-invalid={errors.fields[name] ? true : undefined}
        required
      />
      {errors.fields[name] && (
        <span className="bt-error" data-testid={`signup-error-${name}`}>
          {errors.fields[name]}
        </span>
      )}
    </label>
  );
  return (
    <form className="bt-card bt-login" onSubmit={submit} data-testid="signup-form">
      <h2>Create an account</h2>
      {field("username", "Username", "text", "username")}
      {field("email", "Email", "email", "email")}
      {field("password", "Password", "password", "new-password")}
      {errors.general && (
        <p className="bt-error" role="alert" data-testid="signup-error">
          {errors.general}
        </p>
      )}
      <button className="button" type="submit" disabled={signup.isPending} data-testid="signup-submit">
        {signup.isPending ? "Creating…" : "Create account"}
      </button>
      {footer}
    </form>
  );
}
