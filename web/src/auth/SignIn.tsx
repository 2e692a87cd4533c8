import { useState, type FormEvent } from "react";
import { Link, Redirect, useLocation, useSearch } from "wouter";
import { SignInError } from "../api/session";
import { useI18n } from "../i18n";
import { useAuth } from "./AuthProvider";

/** Where to go after signing in: only a path of this console, never another site. */
function nextPath(search: string): string {
  const next = new URLSearchParams(search).get("next");
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function SignIn() {
  const { t } = useI18n();
  const { signIn, state } = useAuth();
  const [, navigate] = useLocation();
  const search = useSearch();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (state.kind === "signedIn") return <Redirect to={nextPath(search)} replace />;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await signIn(String(form.get("email")), String(form.get("password")));
      navigate(nextPath(search), { replace: true });
    } catch (e) {
      if (e instanceof SignInError && e.status === 401) setError(t("signIn.wrong"));
      else if (e instanceof SignInError && e.status === 429) setError(t("signIn.tooMany"));
      else setError(t("error.network"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="bg-base-200 flex min-h-screen items-center justify-center p-4">
      <form onSubmit={submit} className="card bg-base-100 w-full max-w-sm shadow" noValidate={false}>
        <div className="card-body gap-3">
          <h1 className="card-title text-2xl">{t("signIn.title")}</h1>
          {error && (
            <p role="alert" className="alert alert-error">
              {error}
            </p>
          )}
          <label className="floating-label">
            <span>{t("signIn.email")}</span>
            <input name="email" type="email" required autoComplete="username" className="input w-full" placeholder={t("signIn.email")} />
          </label>
          <label className="floating-label">
            <span>{t("signIn.password")}</span>
            <input name="password" type="password" required autoComplete="current-password" className="input w-full" placeholder={t("signIn.password")} />
          </label>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {t("signIn.submit")}
          </button>
          <Link href="/forgot-password" className="link text-sm">
            {t("signIn.forgot")}
          </Link>
        </div>
      </form>
    </main>
  );
}
