// Following the day's tours: a list (state, driver, progress, weight, last activity; late
// tours stand out) and a map of every stop's outcome, refreshed by polling every 5 s
// (cheaper here than server-sent events: see BENCHMARKS.md, "Following tours").
import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense, useState } from "react";
import { Link } from "wouter";
import { api, unwrap } from "../../api/client";
import { ErrorState, Loading } from "../../components/Status";
import { useI18n } from "../../i18n";
import { isLate, localToday, outcomeOf, stateKey, useDrivers, type Tour } from "./common";

const TourMap = lazy(() => import("./TourMap"));
export const POLL_MS = 5_000;

function stopsOf(tours: Tour[]): GeoJSON.FeatureCollection {
  return {
    type: "FeatureCollection",
    features: tours.flatMap((tour) =>
      tour.stops.flatMap((s) =>
        s.location
          ? [{ type: "Feature" as const, geometry: { type: "Point" as const, coordinates: [s.location.longitude, s.location.latitude] }, properties: { outcome: outcomeOf(s), label: String(s.position) } }]
          : [],
      ),
    ),
  };
}

export function Tours() {
  const { t, lang } = useI18n();
  const [date, setDate] = useState(localToday);
  const drivers = useDrivers();
  const tours = useQuery({
    queryKey: ["tours", date],
    queryFn: async () => unwrap(await api.GET("/api/v1/tours", { params: { query: { date, limit: 500 } } })).items,
    refetchInterval: POLL_MS,
  });
  const name = (id?: string | null) => drivers.data?.find((d) => d.id === id)?.display_name ?? t("tours.noDriver");
  const time = (at?: string | null) => (at ? new Date(at).toLocaleTimeString(lang === "fr" ? "fr-FR" : "en-GB", { hour: "2-digit", minute: "2-digit" }) : "—");
  const live = (tours.data ?? []).filter((x) => x.state !== "cancelled");
  return (
    <section className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end gap-3">
        <h1 className="flex-1 text-2xl font-bold">{t("tours.title")}</h1>
        <label className="flex flex-col text-sm">
          {t("tours.date")}
          <input type="date" className="input input-sm" value={date} onChange={(e) => setDate(e.target.value)} />
        </label>
        <Link href="/tours/new" className="btn btn-primary btn-sm">
          {t("tours.new")}
        </Link>
      </div>
      {tours.isPending ? (
        <Loading />
      ) : tours.isError ? (
        <ErrorState message={t("error.network")} onRetry={() => void tours.refetch()} />
      ) : (
        <div className="overflow-x-auto">
          <table className="table table-sm" data-testid="tours-table">
            <thead>
              <tr>
                <th>{t("tours.vehicle")}</th>
                <th>{t("tours.driver")}</th>
                <th>{t("tours.state")}</th>
                <th>{t("tours.progress")}</th>
                <th>{t("tours.weight")}</th>
                <th>{t("tours.lastActivity")}</th>
              </tr>
            </thead>
            <tbody>
              {tours.data.length === 0 && (
                <tr>
                  <td colSpan={6}>{t("common.empty")}</td>
                </tr>
              )}
              {tours.data.map((tour) => {
                const late = isLate(tour);
                return (
                  <tr key={tour.id} className={late ? "bg-red-100 font-semibold" : ""} data-late={late} data-testid="tour-row">
                    <td>
                      <Link href={`/tours/${tour.id}`} className="link">
                        {tour.vehicle ?? t("tours.noVehicle")}
                      </Link>
                    </td>
                    <td>{name(tour.driver_id)}</td>
                    <td>
                      {t(stateKey(tour.state))}
                      {late && <span className="badge badge-error ml-2">{t("tours.late")}</span>}
                    </td>
                    <td data-testid="tour-progress">
                      {t("tours.progressValue", { visited: tour.progress.visited, skipped: tour.progress.skipped, total: tour.progress.total })}
                    </td>
                    <td>{tour.progress.weight_kg} kg</td>
                    <td>{time(tour.last_activity)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Suspense fallback={<Loading />}>
        <TourMap points={stopsOf(live)} label={t("tours.followMap")} />
      </Suspense>
    </section>
  );
}
