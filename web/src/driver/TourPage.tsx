// One tour: start and complete, the stops in order with the distance to the next one and
// a "navigate" link (geo: URI, opens the phone's maps app), the map, the label scanner.
import { lazy, Suspense, useState } from "react";
import { Link } from "wouter";
import { useI18n } from "../i18n";
import { metres } from "./apply";
import { useDriver } from "./DriverState";
import { distance, outcomeKey, stateKey } from "./labels";
import { QueuePanel } from "./QueuePanel";
import { outcomeOf, type Stop } from "./types";

const StopsMap = lazy(() => import("./StopsMap"));

export const geoLink = (stop: Stop) =>
  stop.location ? `geo:${stop.location.latitude},${stop.location.longitude}?q=${stop.location.latitude},${stop.location.longitude}(${encodeURIComponent(stop.public_code ?? "")})` : undefined;

export function TourPage({ id }: { id: string }) {
  const { t } = useI18n();
  const { tours, record } = useDriver();
  const [tab, setTab] = useState<"list" | "map">("list");
  const tour = tours.find((x) => x.id === id);
  if (!tour) return <p className="text-lg">{t("error.notFound")}</p>;
  const pending = tour.stops.filter((s) => outcomeOf(s).outcome === "pending").length;
  return (
    <section className="flex flex-col gap-3">
      <h1 className="text-2xl font-bold">
        {tour.vehicle ?? t("driver.noVehicle")} · <span data-testid="tour-state">{t(stateKey(tour.state))}</span>
      </h1>
      <p className="text-lg">
        {t("driver.progress", { done: tour.progress.visited + tour.progress.skipped, total: tour.progress.total })} ·{" "}
        {t("driver.weight", { kg: tour.progress.weight_kg })}
      </p>
      <QueuePanel />
      {tour.state === "planned" && (
        <button type="button" className="btn btn-lg btn-primary min-h-16" onClick={() => void record({ kind: "start", tourId: tour.id })}>
          {t("driver.start")}
        </button>
      )}
      {tour.state === "in_progress" && pending === 0 && (
        <button type="button" className="btn btn-lg btn-primary min-h-16" onClick={() => void record({ kind: "complete", tourId: tour.id })}>
          {t("driver.complete")}
        </button>
      )}
      {tour.state === "in_progress" && (
        <Link href={`/tours/${tour.id}/scan`} className="btn btn-lg min-h-16 border-2 border-black">
          {t("driver.scan")}
        </Link>
      )}
      <div role="tablist" className="tabs tabs-box">
        <button type="button" role="tab" aria-selected={tab === "list"} className={`tab tab-lg text-black ${tab === "list" ? "tab-active" : ""}`} onClick={() => setTab("list")}>
          {t("driver.list")}
        </button>
        <button type="button" role="tab" aria-selected={tab === "map"} className={`tab tab-lg text-black ${tab === "map" ? "tab-active" : ""}`} onClick={() => setTab("map")}>
          {t("driver.map")}
        </button>
      </div>
      {tab === "map" ? (
        <Suspense fallback={<p>{t("common.loading")}</p>}>
          <StopsMap stops={tour.stops} depot={tour.depot ?? null} />
        </Suspense>
      ) : (
        <ol className="flex flex-col gap-2" data-testid="stops">
          {tour.stops.map((stop, i) => {
            const next = tour.stops[i + 1];
            const o = outcomeOf(stop);
            const gap = next?.location && stop.location ? distance(metres(stop.location, next.location)) : null;
            return (
              <li key={stop.container_id} className="rounded-lg border-2 border-black" data-testid="stop" data-outcome={o.outcome}>
                <div className="flex items-stretch">
                  <Link href={`/tours/${tour.id}/stops/${stop.container_id}`} className="flex min-h-16 flex-1 flex-col justify-center p-3 text-lg">
                    <span className="font-bold">
                      {stop.position}. {stop.public_code} · {t(outcomeKey(o.outcome))}
                    </span>
                    <span>{stop.address ?? ""}</span>
                    {gap && <span className="text-base">{t("driver.next", { distance: gap })}</span>}
                  </Link>
                  {geoLink(stop) && (
                    <a href={geoLink(stop)} className="flex min-w-20 items-center justify-center border-l-2 border-black p-2 text-base font-semibold underline">
                      {t("driver.navigate")}
                    </a>
                  )}
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
