// A new draft tour: site, date, driver, vehicle, an optional depot, and its first stops
// chosen by area, "reported full" or "last found at least X % full" (the API selects them);
// more are added on the tour's page (lasso on the map).
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useLocation } from "wouter";
import { api, ApiFailure, unwrap } from "../../api/client";
import { useI18n } from "../../i18n";
import { useAreas, useSites } from "../lookups";
import { localToday, useDrivers } from "./common";

export function TourNew() {
  const { t } = useI18n();
  const [, navigate] = useLocation();
  const sites = useSites();
  const drivers = useDrivers();
  const [siteId, setSiteId] = useState("");
  const areas = useAreas(siteId || undefined);
  const [form, setForm] = useState({ date: localToday(), driver: "", vehicle: "", area: "", reportedFull: false, minFill: "", depotLat: "", depotLon: "" });
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));
  const create = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/api/v1/tours", {
          body: {
            site_id: siteId,
            date: form.date,
            driver_id: form.driver || null,
            vehicle: form.vehicle.trim() || null,
            area_id: form.area || null,
            reported_full: form.reportedFull,
            min_fill_level: form.minFill === "" ? null : Number(form.minFill),
            depot: form.depotLat && form.depotLon ? { latitude: Number(form.depotLat), longitude: Number(form.depotLon) } : null,
          },
        }),
      ),
    onSuccess: (tour) => navigate(`/tours/${tour.id}`),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const error = create.error instanceof ApiFailure ? create.error.message : create.error ? t("error.network") : null;
  return (
    <form onSubmit={submit} className="flex max-w-xl flex-col gap-3">
      <h1 className="text-2xl font-bold">{t("tours.new")}</h1>
      <label className="flex flex-col gap-1">
        {t("tours.site")}
        <select required className="select" value={siteId} onChange={(e) => setSiteId(e.target.value)}>
          <option value="">—</option>
          {sites.data?.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1">
        {t("tours.date")}
        <input type="date" required className="input" value={form.date} onChange={(e) => set({ date: e.target.value })} />
      </label>
      <label className="flex flex-col gap-1">
        {t("tours.driver")}
        <select className="select" value={form.driver} onChange={(e) => set({ driver: e.target.value })}>
          <option value="">{t("tours.noDriver")}</option>
          {drivers.data?.map((d) => (
            <option key={d.id} value={d.id}>
              {d.display_name}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1">
        {t("tours.vehicle")}
        <input className="input" value={form.vehicle} onChange={(e) => set({ vehicle: e.target.value })} />
      </label>
      <fieldset className="flex flex-col gap-2 rounded border p-3">
        <legend className="px-1 font-semibold">{t("tours.pick")}</legend>
        <label className="flex flex-col gap-1">
          {t("tours.byArea")}
          <select className="select" value={form.area} onChange={(e) => set({ area: e.target.value })}>
            <option value="">—</option>
            {areas.data?.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label className="flex items-center gap-2">
          <input type="checkbox" className="checkbox" checked={form.reportedFull} onChange={(e) => set({ reportedFull: e.target.checked })} />
          {t("tours.reportedFull")}
        </label>
        <label className="flex flex-col gap-1">
          {t("tours.minFill")}
          <input type="number" min={0} max={100} className="input" value={form.minFill} onChange={(e) => set({ minFill: e.target.value })} />
        </label>
        <p className="text-sm">{t("tours.lassoLater")}</p>
      </fieldset>
      <fieldset className="flex flex-wrap gap-2 rounded border p-3">
        <legend className="px-1 font-semibold">{t("tours.depot")}</legend>
        <label className="flex flex-col gap-1">
          {t("tours.latitude")}
          <input type="number" step="any" className="input input-sm" value={form.depotLat} onChange={(e) => set({ depotLat: e.target.value })} />
        </label>
        <label className="flex flex-col gap-1">
          {t("tours.longitude")}
          <input type="number" step="any" className="input input-sm" value={form.depotLon} onChange={(e) => set({ depotLon: e.target.value })} />
        </label>
      </fieldset>
      {error && (
        <p role="alert" className="text-error">
          {error}
        </p>
      )}
      <button type="submit" className="btn btn-primary" disabled={create.isPending}>
        {t("tours.create")}
      </button>
    </form>
  );
}
