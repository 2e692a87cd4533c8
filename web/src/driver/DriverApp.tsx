// The driver's screens: sign-in, today's tours, a tour's stops (list or map), a stop's
// visit or skip, the label scanner; a bar that always says whether the phone is online and
// how many actions wait to be sent.
import { lazy, Suspense, useState, type FormEvent } from "react";
import { Link, Route, Switch } from "wouter";
import { useI18n } from "../i18n";
import { useDriver } from "./DriverState";
import { QueuePanel } from "./QueuePanel";
import { StopPage } from "./StopPage";
import { TourPage } from "./TourPage";
import { stateKey } from "./labels";

const ScanPage = lazy(() => import("./ScanPage"));

export function DriverApp() {
  const { session } = useDriver();
  const { t } = useI18n();
  if (session.kind === "loading") return <p className="p-6 text-xl">{t("common.loading")}</p>;
  return (
    <div className="mx-auto flex min-h-screen max-w-xl flex-col bg-white text-black">
      <TopBar />
      <main className="flex-1 p-3">
        {session.kind === "signedOut" ? (
          <SignIn />
        ) : (
          <Switch>
            <Route path="/">{<TourList />}</Route>
            <Route path="/tours/:id">{(p) => <TourPage id={p.id} />}</Route>
            <Route path="/tours/:id/scan">
              {(p) => (
                <Suspense fallback={<p>{t("common.loading")}</p>}>
                  <ScanPage tourId={p.id} />
                </Suspense>
              )}
            </Route>
            <Route path="/tours/:id/stops/:cid">{(p) => <StopPage tourId={p.id} containerId={p.cid} />}</Route>
          </Switch>
        )}
      </main>
    </div>
  );
}

function TopBar() {
  const { t, lang, setLang } = useI18n();
  const { online, queue, session, sending, signOut } = useDriver();
  const waiting = queue.filter((q) => q.state === "waiting").length;
  return (
    <header className="sticky top-0 z-10 flex flex-wrap items-center gap-2 border-b-2 border-black bg-white p-2">
      <Link href="/" className="text-xl font-bold">
        {t("driver.title")}
      </Link>
      <span data-testid="network" className={`badge badge-lg ${online ? "badge-success" : "badge-neutral"}`}>
        {online ? t("driver.online") : t("driver.offline")}
      </span>
      {waiting > 0 && (
        <span data-testid="waiting" className="badge badge-lg badge-warning">
          {t(sending ? "driver.sending" : "driver.waiting", { n: waiting })}
        </span>
      )}
      <span className="flex-1" />
      <label className="flex items-center">
        <span className="sr-only">{t("nav.language")}</span>
        <select className="select select-sm w-auto" value={lang} onChange={(e) => setLang(e.target.value === "en" ? "en" : "fr")}>
          <option value="fr">FR</option>
          <option value="en">EN</option>
        </select>
      </label>
      {session.kind === "signedIn" && (
        <button type="button" className="btn btn-sm btn-outline" onClick={() => void signOut()}>
          {t("nav.signOut")}
        </button>
      )}
    </header>
  );
}

function SignIn() {
  const { t } = useI18n();
  const { signIn, queue, online, session } = useDriver();
  const [email, setEmail] = useState(session.kind === "signedOut" ? (session.previous?.email ?? "") : "");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const waiting = queue.filter((q) => q.state === "waiting").length;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await signIn(email, password);
    } catch (failure) {
      const status = (failure as { status?: number }).status;
      setError(status === 401 ? t("signIn.wrong") : status === 429 ? t("signIn.tooMany") : t("error.network"));
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} className="flex flex-col gap-4">
      <h1 className="text-2xl font-bold">{t("signIn.title")}</h1>
      {waiting > 0 && <p className="alert alert-warning text-lg">{t("driver.keptQueue", { n: waiting })}</p>}
      {!online && <p className="alert text-lg">{t("driver.signInOffline")}</p>}
      <label className="flex flex-col gap-1 text-lg">
        {t("signIn.email")}
        <input className="input input-lg w-full border-2 border-black" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label className="flex flex-col gap-1 text-lg">
        {t("signIn.password")}
        <input className="input input-lg w-full border-2 border-black" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      {error && <p role="alert" className="text-lg font-semibold text-red-800">{error}</p>}
      <button type="submit" className="btn btn-lg btn-primary">
        {t("signIn.submit")}
      </button>
    </form>
  );
}

function TourList() {
  const { t } = useI18n();
  const { tours, session } = useDriver();
  return (
    <section className="flex flex-col gap-3">
      <h1 className="text-2xl font-bold">{t("driver.today")}</h1>
      {session.kind === "offline" && <p className="alert text-lg">{t("driver.offlineData")}</p>}
      <QueuePanel />
      {tours.length === 0 && <p className="text-lg">{t("driver.noTour")}</p>}
      <ul className="flex flex-col gap-3">
        {tours.map((tour) => (
          <li key={tour.id}>
            <Link href={`/tours/${tour.id}`} className="flex min-h-20 flex-col justify-center rounded-lg border-2 border-black p-3 text-lg">
              <span className="font-bold">
                {tour.vehicle ?? t("driver.noVehicle")} · {t(stateKey(tour.state))}
              </span>
              <span>{t("driver.progress", { done: tour.progress.visited + tour.progress.skipped, total: tour.progress.total })}</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
