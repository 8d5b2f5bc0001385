import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { Spinner } from "@/components/Spinner";
import { LoginForm, safeNextPath, SignupForm, useCurrentUser } from "@/features/auth";
import { AppHeader } from "./AppHeader";

/** /login and /signup: after signing in, back to `?next=` (a path of this app) or the backtests. */
function AuthPage({ kind }: { kind: "login" | "signup" }) {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const user = useCurrentUser();
  const nextParam = params.get("next");
  const next = safeNextPath(nextParam);
  const keepNext = nextParam ? `?next=${encodeURIComponent(nextParam)}` : "";
  const done = () => navigate(next, { replace: true });
  let content;
  if (user.isPending) content = <Spinner label="Checking your session…" />;
  else if (user.data) content = <Navigate to={next} replace />;
  else if (kind === "login") {
    content = (
      <LoginForm
        onSignedIn={done}
        footer={
          <p className="muted small">
            No account yet?{" "}
            <Link to={`/signup${keepNext}`} data-testid="to-signup">
              Create one
            </Link>
          </p>
        }
      />
    );
  } else {
    content = (
      <SignupForm
        onSignedUp={done}
        footer={
          <p className="muted small">
            Already have an account?{" "}
            <Link to={`/login${keepNext}`} data-testid="to-login">
              Sign in
            </Link>
          </p>
        }
      />
    );
  }
  return (
    <div className="app app--scroll">
      <AppHeader />
      <main className="app-main">
        <div className="bt-page bt-page--login">{content}</div>
      </main>
    </div>
  );
}

export const LoginPage = () => <AuthPage kind="login" />;
export const SignupPage = () => <AuthPage kind="signup" />;
