// The day at a glance; each tile links to its list.
import { useQuery } from "@tanstack/react-query";
import { Link } from "wouter";
import { api, unwrap } from "../api/client";
import { useUser } from "../auth/AuthProvider";
import { QueryError } from "../components/Status";
import { useI18n } from "../i18n";
import { ENDED } from "./Imports";
import { REPORT_STATUSES, STATUSES, importStateKey, reportStatusKey, statusKey } from "./options";

const CAP = 500;
const count = (page: { items: unknown[]; next_cursor?: string | null }) =>
  page.next_cursor ? `${CAP}+` : String(page.items.length);

function Tile({ title, children, href }: { title: string; children: React.ReactNode; href: string }) {
  return (
    <Link href={href} className="card bg-base-100 border-base-300 hover:border-primary border p-4 focus:outline-2">
      <h2 className="mb-2 font-semibold">{title}</h2>
      {children}
    </Link>
  );
}

export function Dashboard() {
  const { t } = useI18n();
  const user = useUser();
  const today = new Date().toISOString().slice(0, 10);
  const containers = useQuery({
    queryKey: ["dashboard", "containers"],
    queryFn: async () => {
      const counts = unwrap(await api.GET("/api/v1/containers/counts"));
      return STATUSES.map((status) => [status, String(counts.by_status[status] ?? 0)] as const);
    },
  });
  const reports = useQuery({
    queryKey: ["dashboard", "reports"],
    queryFn: () =>
      Promise.all(
        REPORT_STATUSES.slice(0, 3).map(async (status) => [status, count(unwrap(await api.GET("/api/v1/reports", { params: { query: { status, limit: CAP } } })))] as const),
      ),
  });
  const tours = useQuery({
    queryKey: ["dashboard", "tours", today],
    queryFn: async () => unwrap(await api.GET("/api/v1/tours", { params: { query: { date: today, limit: 100 } } })).items,
  });
  const queues = useQuery({
    queryKey: ["queues"],
    enabled: user.role === "admin",
    queryFn: async () => unwrap(await api.GET("/api/v1/admin/queues")).items,
  });
  const recent = useQuery({
    queryKey: ["imports", "recent"],
    queryFn: async () => unwrap(await api.GET("/api/v1/imports", { params: { query: { limit: 50 } } })).items,
  });
  const imports = (recent.data ?? []).filter((i) => !ENDED.includes(i.state));
  const failed = [containers, reports, tours].find((q) => q.isError);

  return (
    <section>
      <h1 className="mb-4 text-2xl font-bold">{t("dashboard.title")}</h1>
      {failed && <QueryError error={failed.error} onRetry={() => void failed.refetch()} />}
      <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
        <Tile title={t("dashboard.containers")} href="/containers">
          <ul className="text-sm" data-testid="tile-containers">
            {(containers.data ?? []).map(([status, n]) => (
              <li key={status} className="flex justify-between">
                <span>{t(statusKey(status))}</span>
                <span className="font-mono">{n}</span>
              </li>
            ))}
          </ul>
        </Tile>
        <Tile title={t("dashboard.reports")} href="/reports">
          <ul className="text-sm" data-testid="tile-reports">
            {(reports.data ?? []).map(([status, n]) => (
              <li key={status} className="flex justify-between">
                <span>{t(reportStatusKey(status))}</span>
                <span className="font-mono">{n}</span>
              </li>
            ))}
          </ul>
        </Tile>
        <Tile title={t("dashboard.tours")} href="/containers">
          {tours.data?.length ? (
            <ul className="text-sm">
              {tours.data.map((tour) => (
                <li key={tour.id}>
                  {t("dashboard.tourProgress", { visited: tour.progress.visited + tour.progress.skipped, total: tour.progress.total })}
                  <progress className="progress w-full" value={tour.progress.visited + tour.progress.skipped} max={Math.max(1, tour.progress.total)} />
                </li>
              ))}
            </ul>
          ) : (
            <p className="text-sm">{t("dashboard.noTours")}</p>
          )}
        </Tile>
        <Tile title={t("dashboard.imports")} href="/imports">
          {imports.length ? (
            <ul className="text-sm">
              {imports.map((i) => <li key={i.id}>{i.file_name}: {t(importStateKey(i.state))}</li>)}
            </ul>
          ) : (
            <p className="text-sm">{t("dashboard.noImports")}</p>
          )}
        </Tile>
        {user.role === "admin" && (
          <Tile title={t("dashboard.queues")} href="/queues">
            <ul className="text-sm">
              {(queues.data ?? []).map((q) => (
                <li key={q.name} className="flex justify-between">
                  <span>{q.name}</span>
                  <span className={q.dead > 0 ? "text-red-700" : ""}>{t("queues.summary", { depth: q.depth, dead: q.dead })}</span>
                </li>
              ))}
            </ul>
          </Tile>
        )}
      </div>
    </section>
  );
}
