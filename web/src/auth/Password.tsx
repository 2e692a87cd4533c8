// "Forgot password" and the page the reset e-mail links to (/reset-password?token=…,
// which the API redirects to /admin/reset-password).
import { useState, type FormEvent } from "react";
import { Link, useSearch } from "wouter";
import { api, ApiFailure, unwrap } from "../api/client";
import { useI18n } from "../i18n";

function Card({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main className="bg-base-200 flex min-h-screen items-center justify-center p-4">
      <div className="card bg-base-100 w-full max-w-sm shadow">
        <div className="card-body gap-3">
          <h1 className="card-title text-2xl">{title}</h1>
          {children}
        </div>
      </div>
    </main>
  );
}

export function ForgotPassword() {
  const { t } = useI18n();
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get("email"));
    try {
      unwrap(await api.POST("/api/v1/auth/password-reset", { body: { email } }));
      setSent(true);
    } catch (e) {
      setError(e instanceof ApiFailure && e.status === 429 ? t("signIn.tooMany") : t("error.network"));
    }
  }
  return (
    <Card title={t("forgot.title")}>
      {sent ? (
        <p role="status" className="alert alert-success">{t("forgot.sent")}</p>
      ) : (
        <form onSubmit={submit} className="flex flex-col gap-3">
          <p>{t("forgot.intro")}</p>
          {error && <p role="alert" className="alert alert-error">{error}</p>}
          <label className="flex flex-col gap-1">
            <span>{t("signIn.email")}</span>
            <input name="email" type="email" required autoComplete="username" className="input w-full" />
          </label>
          <button type="submit" className="btn btn-primary">{t("forgot.submit")}</button>
        </form>
      )}
      <Link href="/sign-in" className="link text-sm">{t("forgot.back")}</Link>
    </Card>
  );
}

export function ResetPassword() {
  const { t } = useI18n();
  const token = new URLSearchParams(useSearch()).get("token") ?? "";
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get("password"));
    try {
      unwrap(await api.POST("/api/v1/auth/password-reset/confirm", { body: { token, password } }));
      setDone(true);
    } catch (e) {
      setError(e instanceof ApiFailure ? (e.fieldError("password") ?? e.message) : t("error.network"));
    }
  }
  return (
    <Card title={t("reset.title")}>
      {done ? (
        <p role="status" className="alert alert-success">{t("reset.done")}</p>
      ) : (
        <form onSubmit={submit} className="flex flex-col gap-3">
          {error && <p role="alert" className="alert alert-error">{error}</p>}
          <label className="flex flex-col gap-1">
            <span>{t("reset.password")}</span>
            <input name="password" type="password" required minLength={12} autoComplete="new-password" className="input w-full" />
          </label>
          <button type="submit" className="btn btn-primary">{t("reset.submit")}</button>
        </form>
      )}
      <Link href="/sign-in" className="link text-sm">{t("forgot.back")}</Link>
    </Card>
  );
}
