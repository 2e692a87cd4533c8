// Create or edit a container. The position comes from the map picker or the two fields;
// a 422 is shown next to its field, a 412 as "someone changed this; reload".
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useState, type FormEvent } from "react";
import { useLocation } from "wouter";
import { api, ApiFailure, unwrap, type Container } from "../api/client";
import { Loading, QueryError, useFailureMessage } from "../components/Status";
import { useI18n } from "../i18n";
import { useContainer } from "./ContainerPage";
import { useAreas, useSites } from "./lookups";
import { STATUSES, TYPES, statusKey, typeKey } from "./options";

const MapPicker = lazy(() => import("../map/MapPicker"));

export function ContainerForm({ id }: { id?: string }) {
  const query = useContainer(id ?? "");
  if (!id) return <Form />;
  if (query.isPending) return <Loading />;
  if (query.isError) return <QueryError error={query.error} onRetry={() => void query.refetch()} />;
  return <Form key={query.data.etag} existing={query.data.container} etag={query.data.etag} onReload={() => void query.refetch()} />;
}

interface Values {
  site_id: string;
  area_id: string;
  type: string;
  status: string;
  address: string;
  capacity_litres: string;
  external_ref: string;
  installed_on: string;
  notes: string;
  latitude: string;
  longitude: string;
}

function initial(c?: Container): Values {
  return {
    site_id: c?.site_id ?? "",
    area_id: c?.area_id ?? "",
    type: c?.type ?? "street_bin",
    status: c?.status ?? "active",
    address: c?.address ?? "",
    capacity_litres: c?.capacity_litres?.toString() ?? "",
    external_ref: c?.external_ref ?? "",
    installed_on: c?.installed_on ?? "",
    notes: c?.notes ?? "",
    latitude: (c?.location.latitude ?? 45.764).toString(),
    longitude: (c?.location.longitude ?? 4.8357).toString(),
  };
}

const orNull = (s: string) => (s.trim() === "" ? null : s.trim());

function Form({ existing, etag, onReload }: { existing?: Container; etag?: string; onReload?: () => void }) {
  const { t } = useI18n();
  const [values, setValues] = useState<Values>(() => initial(existing));
  const sites = useSites();
  const areas = useAreas(values.site_id || undefined);
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const failure = useFailureMessage();

  const save = useMutation({
    mutationFn: async () => {
      const common = {
        area_id: orNull(values.area_id),
        type: values.type,
        address: orNull(values.address),
        capacity_litres: values.capacity_litres.trim() === "" ? null : Number(values.capacity_litres),
        external_ref: orNull(values.external_ref),
        installed_on: orNull(values.installed_on),
        notes: orNull(values.notes),
        location: { latitude: Number(values.latitude), longitude: Number(values.longitude) },
      };
      if (existing) {
        return unwrap(
          await api.PATCH("/api/v1/containers/{id}", {
            params: { path: { id: existing.id }, header: { "If-Match": etag ?? "" } },
            body: { ...common, status: values.status },
          }),
        );
      }
      return unwrap(await api.POST("/api/v1/containers", { body: { ...common, site_id: values.site_id } }));
    },
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: ["containers"] });
      await queryClient.invalidateQueries({ queryKey: ["container", saved.id] });
      navigate(`/containers/${saved.id}`);
    },
  });
  const error = save.error instanceof ApiFailure ? save.error : undefined;
  const conflict = error?.status === 412;
  const fieldError = (name: string) => error?.fieldError(name);
  const generalError = save.isError && !conflict && !(error?.problem?.errors?.length) ? failure(save.error) : null;
  const set = (name: keyof Values) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) =>
    setValues((v) => ({ ...v, [name]: e.target.value }));

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  const field = (name: keyof Values, label: string, input: React.ReactNode) => {
    const message = fieldError(name === "latitude" || name === "longitude" ? `location.${name}` : name);
    return (
      <div className="flex flex-col gap-1">
        <label htmlFor={`f-${name}`} className="text-sm font-medium">{label}</label>
        {input}
        {message && <p id={`e-${name}`} className="text-red-700 text-sm" role="alert">{message}</p>}
      </div>
    );
  };
  const inputProps = (name: keyof Values) => ({
    id: `f-${name}`,
    name,
    value: values[name],
    onChange: set(name),
    "aria-invalid": Boolean(fieldError(name)) || undefined,
    "aria-describedby": fieldError(name) ? `e-${name}` : undefined,
  });

  return (
    <form onSubmit={submit} className="flex max-w-3xl flex-col gap-3" noValidate>
      <h1 className="text-2xl font-bold">{existing ? t("form.editTitle", { code: existing.public_code }) : t("form.newTitle")}</h1>
      {conflict && (
        <div role="alert" className="alert alert-warning">
          <span>{t("error.conflict")}</span>
          <button type="button" className="btn btn-sm" onClick={onReload}>{t("common.reload")}</button>
        </div>
      )}
      {generalError && <p role="alert" className="alert alert-error">{generalError}</p>}
      <div className="grid gap-3 sm:grid-cols-2">
        {!existing &&
          field("site_id", t("filter.site"), (
            <select className="select w-full" required {...inputProps("site_id")}>
              <option value="">—</option>
              {(sites.data ?? []).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
            </select>
          ))}
        {field("area_id", t("filter.area"), (
          <select className="select w-full" {...inputProps("area_id")}>
            <option value="">—</option>
            {(areas.data ?? []).map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
          </select>
        ))}
        {field("type", t("container.type"), (
          <select className="select w-full" {...inputProps("type")}>
            {TYPES.map((v) => <option key={v} value={v}>{t(typeKey(v))}</option>)}
          </select>
        ))}
        {existing &&
          field("status", t("container.status"), (
            <select className="select w-full" {...inputProps("status")}>
              {STATUSES.map((v) => <option key={v} value={v}>{t(statusKey(v))}</option>)}
            </select>
          ))}
        {field("address", t("container.address"), <input className="input w-full" {...inputProps("address")} />)}
        {field("capacity_litres", t("container.capacity"), <input className="input w-full" inputMode="numeric" {...inputProps("capacity_litres")} />)}
        {field("external_ref", t("container.externalRef"), <input className="input w-full" {...inputProps("external_ref")} />)}
        {field("installed_on", t("container.installedOn"), <input type="date" className="input w-full" {...inputProps("installed_on")} />)}
        {field("latitude", t("form.latitude"), <input className="input w-full" inputMode="decimal" {...inputProps("latitude")} />)}
        {field("longitude", t("form.longitude"), <input className="input w-full" inputMode="decimal" {...inputProps("longitude")} />)}
      </div>
      <Suspense fallback={<Loading />}>
        <MapPicker
          latitude={Number(values.latitude)}
          longitude={Number(values.longitude)}
          onChange={(lat, lon) => setValues((v) => ({ ...v, latitude: lat.toFixed(6), longitude: lon.toFixed(6) }))}
        />
      </Suspense>
      {field("notes", t("container.notes"), <textarea className="textarea w-full" {...inputProps("notes")} />)}
      <div className="flex gap-2">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>{t("common.save")}</button>
        <button type="button" className="btn" onClick={() => history.back()}>{t("common.cancel")}</button>
      </div>
    </form>
  );
}
