// One tour for its manager: the map with the ordered route line (from the API) and a lasso
// to add the containers inside it; the stops, reordered by drag and drop (or the arrows);
// the optimiser's suggestion with the distance before and after, to accept or keep;
// driver and vehicle; plan, cancel, print. In progress, it follows each stop's outcome.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useState } from "react";
import { Link } from "wouter";
import { api, ApiFailure, unwrap } from "../../api/client";
import { ErrorState, Loading } from "../../components/Status";
import { useI18n } from "../../i18n";
import { POLL_MS } from "./Tours";
import { isLate, km, outcomeKey, outcomeOf, stateKey, useDrivers, type Tour } from "./common";

const TourMap = lazy(() => import("./TourMap"));

interface Suggestion {
  order: string[];
  distance_before_m: number;
  distance_after_m: number;
}

export function TourEditor({ id }: { id: string }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const drivers = useDrivers();
  const [suggestion, setSuggestion] = useState<Suggestion | null>(null);
  const [lasso, setLasso] = useState(false);
  const [dragged, setDragged] = useState<number | null>(null);
  const [assign, setAssign] = useState<{ driver: string; vehicle: string } | null>(null);
  const path = { params: { path: { tour_id: id } } };
  const tour = useQuery({
    queryKey: ["tour", id],
    queryFn: async () => unwrap(await api.GET("/api/v1/tours/{tour_id}", path)) as Tour,
    refetchInterval: (q) => (q.state.data?.state === "in_progress" ? POLL_MS : false),
  });
  const route = useQuery({
    queryKey: ["tour", id, "route", tour.data?.version],
    enabled: !!tour.data,
    queryFn: async () => unwrap(await api.GET("/api/v1/tours/{tour_id}/route", path)),
  });
  const ifMatch = () => ({ "If-Match": `"${tour.data?.version}"` });
  const saved = (next: Tour) => {
    client.setQueryData(["tour", id], next);
    void client.invalidateQueries({ queryKey: ["tours"] });
  };
  const act = useMutation({
    mutationFn: async (run: () => Promise<Tour>) => run(),
    onSuccess: saved,
  });
  const reorder = (order: string[]) =>
    act.mutate(async () => unwrap(await api.PUT("/api/v1/tours/{tour_id}/order", { ...path, headers: ifMatch(), body: { order } })) as Tour);
  const optimise = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST("/api/v1/tours/{tour_id}/optimize", { ...path, body: { round_trip: !!tour.data?.depot } })) as Suggestion,
    onSuccess: setSuggestion,
  });
  const addInside = async (polygon: GeoJSON.Polygon) => {
    const data = tour.data;
    if (!data) return;
    const found = unwrap(
      await api.POST("/api/v1/containers/search/polygon", {
        params: { query: { site_id: data.site_id, limit: 500 } },
        body: polygon as never,
      }),
    );
    const present = new Set(data.stops.map((s) => s.container_id));
    const ids = found.features.map((f) => String(f.id)).filter((x) => !present.has(x));
    if (ids.length > 0)
      act.mutate(async () => unwrap(await api.POST("/api/v1/tours/{tour_id}/stops", { ...path, headers: ifMatch(), body: { container_ids: ids } })) as Tour);
  };

  if (tour.isPending) return <Loading />;
  if (tour.isError) return <ErrorState message={t("error.notFound")} onRetry={() => void tour.refetch()} />;
  const data = tour.data;
  const editable = data.state === "draft" || data.state === "planned";
  const ids = data.stops.map((s) => s.container_id);
  const move = (from: number, to: number) => {
    if (to < 0 || to >= ids.length || from === to) return;
    const next = [...ids];
    const [item] = next.splice(from, 1);
    next.splice(to, 0, item!);
    reorder(next);
  };
  const failure = [act.error, optimise.error].find((e) => e) as Error | undefined;
  const points: GeoJSON.FeatureCollection = {
    type: "FeatureCollection",
    features: data.stops.flatMap((s) =>
      s.location ? [{ type: "Feature" as const, geometry: { type: "Point" as const, coordinates: [s.location.longitude, s.location.latitude] }, properties: { outcome: outcomeOf(s) } }] : [],
    ),
  };
  const driverName = drivers.data?.find((d) => d.id === data.driver_id)?.display_name ?? t("tours.noDriver");

  return (
    <section className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center gap-2">
        <h1 className="flex-1 text-2xl font-bold">
          {t("tours.tourOf", { date: data.date })} · <span data-testid="tour-state">{t(stateKey(data.state))}</span>
          {isLate(data) && <span className="badge badge-error ml-2">{t("tours.late")}</span>}
        </h1>
        <Link href={`/tours/${id}/sheet`} className="btn btn-sm btn-outline">
          {t("tours.print")}
        </Link>
        {data.state === "draft" && (
          <button type="button" className="btn btn-sm btn-primary" onClick={() => act.mutate(async () => unwrap(await api.POST("/api/v1/tours/{tour_id}/plan", { ...path, headers: ifMatch() })) as Tour)}>
            {t("tours.plan")}
          </button>
        )}
        {editable && (
          <button type="button" className="btn btn-sm btn-outline border-red-800 text-red-800" onClick={() => act.mutate(async () => unwrap(await api.POST("/api/v1/tours/{tour_id}/cancel", { ...path, headers: ifMatch() })) as Tour)}>
            {t("tours.cancel")}
          </button>
        )}
      </div>
      <p>
        {t("tours.driver")} : <strong data-testid="tour-driver">{driverName}</strong> · {t("tours.vehicle")} : <strong>{data.vehicle ?? t("tours.noVehicle")}</strong> ·{" "}
        {t("tours.progressValue", { visited: data.progress.visited, skipped: data.progress.skipped, total: data.progress.total })} · {data.progress.weight_kg} kg
        {route.data && (
          <>
            {" "}
            · <span data-testid="route-length">{km(route.data.properties.distance_m)}</span>
          </>
        )}
      </p>
      {failure && (
        <p role="alert" className="text-error">
          {failure instanceof ApiFailure && failure.status === 412 ? t("error.conflict") : failure.message}
        </p>
      )}
      {editable && (
        <div className="flex flex-wrap gap-2">
          {assign ? (
            <form
              className="flex flex-wrap items-end gap-2"
              onSubmit={(e) => {
                e.preventDefault();
                act.mutate(async () =>
                  unwrap(await api.PATCH("/api/v1/tours/{tour_id}", { ...path, headers: ifMatch(), body: { driver_id: assign.driver || null, vehicle: assign.vehicle.trim() || null } })) as Tour,
                );
                setAssign(null);
              }}
            >
              <label className="flex flex-col text-sm">
                {t("tours.driver")}
                <select className="select select-sm" value={assign.driver} onChange={(e) => setAssign({ ...assign, driver: e.target.value })}>
                  <option value="">{t("tours.noDriver")}</option>
                  {drivers.data?.map((d) => (
                    <option key={d.id} value={d.id}>
                      {d.display_name}
                    </option>
                  ))}
                </select>
              </label>
              <label className="flex flex-col text-sm">
                {t("tours.vehicle")}
                <input className="input input-sm" value={assign.vehicle} onChange={(e) => setAssign({ ...assign, vehicle: e.target.value })} />
              </label>
              <button type="submit" className="btn btn-sm btn-primary">
                {t("common.save")}
              </button>
            </form>
          ) : (
            <button type="button" className="btn btn-sm" onClick={() => setAssign({ driver: data.driver_id ?? "", vehicle: data.vehicle ?? "" })}>
              {t("tours.assign")}
            </button>
          )}
          <button type="button" className="btn btn-sm" disabled={data.stops.length < 3 || optimise.isPending} onClick={() => optimise.mutate()}>
            {t("tours.optimise")}
          </button>
          <button type="button" className={`btn btn-sm ${lasso ? "btn-active" : ""}`} aria-pressed={lasso} onClick={() => setLasso((l) => !l)}>
            {t("tours.lasso")}
          </button>
        </div>
      )}
      {suggestion && (
        <div className="alert flex flex-wrap" role="status" data-testid="suggestion">
          <span className="flex-1">
            {t("tours.suggestion", { before: km(suggestion.distance_before_m), after: km(suggestion.distance_after_m) })}
          </span>
          <button
            type="button"
            className="btn btn-sm btn-primary"
            onClick={() => {
              reorder(suggestion.order);
              setSuggestion(null);
            }}
          >
            {t("tours.accept")}
          </button>
          <button type="button" className="btn btn-sm" onClick={() => setSuggestion(null)}>
            {t("tours.keep")}
          </button>
        </div>
      )}
      <div className="grid gap-4 lg:grid-cols-2">
        <ol className="flex flex-col gap-1" data-testid="tour-stops">
          {data.stops.map((stop, i) => (
            <li
              key={stop.container_id}
              draggable={editable}
              onDragStart={() => setDragged(i)}
              onDragOver={(e) => editable && e.preventDefault()}
              onDrop={(e) => {
                e.preventDefault();
                if (dragged !== null) move(dragged, i);
                setDragged(null);
              }}
              className="bg-base-100 flex items-center gap-2 rounded border p-2"
              data-testid="tour-stop"
              data-code={stop.public_code}
            >
              <span className="w-8 text-right font-mono">{stop.position}.</span>
              <span className="flex-1">
                <strong>{stop.public_code}</strong> {stop.address}
              </span>
              <span className="badge" data-testid="stop-outcome">
                {t(outcomeKey(outcomeOf(stop)))}
              </span>
              {editable && (
                <>
                  <button type="button" className="btn btn-xs" aria-label={t("tours.up", { code: stop.public_code ?? "" })} onClick={() => move(i, i - 1)}>
                    ↑
                  </button>
                  <button type="button" className="btn btn-xs" aria-label={t("tours.down", { code: stop.public_code ?? "" })} onClick={() => move(i, i + 1)}>
                    ↓
                  </button>
                  <button
                    type="button"
                    className="btn btn-xs btn-ghost"
                    aria-label={t("tours.remove", { code: stop.public_code ?? "" })}
                    onClick={() => act.mutate(async () => unwrap(await api.DELETE("/api/v1/tours/{tour_id}/stops/{container_id}", { params: { path: { tour_id: id, container_id: stop.container_id } }, headers: ifMatch() })) as Tour)}
                  >
                    ✕
                  </button>
                </>
              )}
            </li>
          ))}
        </ol>
        <Suspense fallback={<Loading />}>
          <TourMap points={points} line={route.data?.geometry as GeoJSON.Geometry | null | undefined} label={t("tours.mapLabel")} lasso={lasso} onLasso={(p) => void addInside(p)} />
        </Suspense>
      </div>
    </section>
  );
}
