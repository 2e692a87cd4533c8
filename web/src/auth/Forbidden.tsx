import { useAuth } from "./AuthProvider";
import { useI18n } from "../i18n";

/** A signed-in user whose role may not use this page (a driver, or a manager on admin pages). */
export function Forbidden() {
  const { t } = useI18n();
  const { signOut } = useAuth();
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="card bg-base-100 max-w-md shadow">
        <div className="card-body">
          <h1 className="card-title">{t("forbidden.title")}</h1>
          <p>{t("forbidden.body")}</p>
          <div className="card-actions">
            <a className="btn" href="/admin/">{t("nav.dashboard")}</a>
            <button type="button" className="btn btn-primary" onClick={() => void signOut()}>
              {t("nav.signOut")}
            </button>
          </div>
        </div>
      </div>
    </main>
  );
}
