// Routes. Pages other than sign-in and password reset need a manager or an admin; the
// map and its library load only when opened.
import { lazy, Suspense, type ReactNode } from "react";
import { Redirect, Route, Switch, useLocation, useSearch } from "wouter";
import { ForgotPassword, ResetPassword } from "./auth/Password";
import { Forbidden } from "./auth/Forbidden";
import { SignIn } from "./auth/SignIn";
import { useAuth } from "./auth/AuthProvider";
import { ErrorState, Loading } from "./components/Status";
import { Shell } from "./components/Shell";
import { useI18n } from "./i18n";
import { AreaPage } from "./pages/AreaPage";
import { Areas } from "./pages/Areas";
import { ContainerForm } from "./pages/ContainerForm";
import { ContainerPage } from "./pages/ContainerPage";
import { Containers } from "./pages/Containers";
import { Dashboard } from "./pages/Dashboard";
import { ImportPage } from "./pages/ImportPage";
import { Imports } from "./pages/Imports";
import { Labels } from "./pages/Labels";
import { Queues } from "./pages/Queues";
import { ReportPage } from "./pages/ReportPage";
import { Reports } from "./pages/Reports";
import { Sites } from "./pages/Sites";
import { Users } from "./pages/Users";
import { TourEditor } from "./pages/tours/TourEditor";
import { TourNew } from "./pages/tours/TourNew";
import { Tours } from "./pages/tours/Tours";
import { TourSheet } from "./pages/tours/TourSheet";

const MapPage = lazy(() => import("./pages/MapPage"));

function Staff({ children, admin = false, bare = false }: { children: ReactNode; admin?: boolean; bare?: boolean }) {
  const { state, retry } = useAuth();
  const [location] = useLocation();
  const search = useSearch();
  const { t } = useI18n();
  if (state.kind === "loading") return <Loading />;
  if (state.kind === "offline") return <ErrorState message={t("error.network")} onRetry={retry} />;
  if (state.kind === "signedOut") {
    const next = location + (search ? `?${search}` : "");
    return <Redirect to={`/sign-in?next=${encodeURIComponent(next)}`} />;
  }
  const role = state.user.role;
  if (role !== "admin" && (admin || role !== "manager")) return <Forbidden />;
  // A printed page (the tour sheet) has no navigation around it.
  return bare ? <main className="p-4">{children}</main> : <Shell>{children}</Shell>;
}

export function App() {
  return (
    <Switch>
      <Route path="/sign-in" component={SignIn} />
      <Route path="/forgot-password" component={ForgotPassword} />
      <Route path="/reset-password" component={ResetPassword} />
      <Route path="/">{<Staff><Dashboard /></Staff>}</Route>
      <Route path="/containers">{<Staff><Containers /></Staff>}</Route>
      <Route path="/containers/new">{<Staff><ContainerForm /></Staff>}</Route>
      <Route path="/containers/:id/edit">{(p) => <Staff><ContainerForm id={p.id} /></Staff>}</Route>
      <Route path="/containers/:id">{(p) => <Staff><ContainerPage id={p.id} /></Staff>}</Route>
      <Route path="/sites">{<Staff><Sites /></Staff>}</Route>
      <Route path="/areas">{<Staff><Areas /></Staff>}</Route>
      <Route path="/areas/:id">{(p) => <Staff><AreaPage id={p.id} /></Staff>}</Route>
      <Route path="/imports">{<Staff><Imports /></Staff>}</Route>
      <Route path="/imports/:id">{(p) => <Staff><ImportPage id={p.id} /></Staff>}</Route>
      <Route path="/map">
        <Staff>
          <Suspense fallback={<Loading />}>
            <MapPage />
          </Suspense>
        </Staff>
      </Route>
      <Route path="/tours">{<Staff><Tours /></Staff>}</Route>
      <Route path="/tours/new">{<Staff><TourNew /></Staff>}</Route>
      <Route path="/tours/:id/sheet">{(p) => <Staff bare><TourSheet id={p.id} /></Staff>}</Route>
      <Route path="/tours/:id">{(p) => <Staff><TourEditor id={p.id} /></Staff>}</Route>
      <Route path="/reports">{<Staff><Reports /></Staff>}</Route>
      <Route path="/reports/:id">{(p) => <Staff><ReportPage id={p.id} /></Staff>}</Route>
      <Route path="/labels">{<Staff><Labels /></Staff>}</Route>
      <Route path="/users">{<Staff admin><Users /></Staff>}</Route>
      <Route path="/queues">{<Staff admin><Queues /></Staff>}</Route>
      <Route><Staff><NotFound /></Staff></Route>
    </Switch>
  );
}

function NotFound() {
  const { t } = useI18n();
  return <ErrorState message={t("error.notFound")} />;
}
