// The auth feature's public surface: session state, sign-in/sign-up forms, the header menu.
export { CURRENT_USER_KEY, useCurrentUser } from "./api/session";
export { LoginForm } from "./components/LoginForm";
export { RequireAuth } from "./components/RequireAuth";
export { SignupForm } from "./components/SignupForm";
export { UserMenu } from "./components/UserMenu";
export { safeNextPath } from "./model/next-path";
