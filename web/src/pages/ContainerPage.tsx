// Everything about one container: details, QR preview, history, visits, reports; archive.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import { Link, useLocation } from "wouter";
import { api, unwrap } from "../api/client";
import { Loading, QueryError, useFailureMessage } from "../components/Status";
import { useBlobUrl } from "../components/useBlobUrl";
import { useI18n } from "../i18n";
import { useAreas, useSites } from "./lookups";
import { STATUS_BADGE, categoryKey, reportStatusKey, statusKey, typeKey } from "./options";

export function useContainer(id: string) {
  return useQuery({
    queryKey: ["container", id],
    enabled: id !== "",
    queryFn: async () => {
      const result = await api.GET("/api/v1/containers/{id}", { params: { path: { id } } });
      return { container: unwrap(result), etag: result.response.headers.get("etag") ?? "" };
    },
  });
}

export function ContainerPage({ id }: { id: string }) {
  const { t, dateTime: date } = useI18n();
  const query = useContainer(id);
  const sites = useSites();
  const areas = useAreas();
  const qr = useBlobUrl(`/api/v1/containers/${id}/qr.svg`);
  const history = useQuery({
    queryKey: ["container", id, "history"],
    queryFn: async () => unwrap(await api.GET("/api/v1/containers/{id}/history", { params: { path: { id }, query: { limit: 20 } } })).items,
  });
  const visits = useQuery({
    queryKey: ["container", id, "visits"],
    queryFn: async () => unwrap(await api.GET("/api/v1/containers/{id}/visits", { params: { path: { id } } })),
  });
  const reports = useQuery({
    queryKey: ["reports", { container_id: id }],
    queryFn: async () => unwrap(await api.GET("/api/v1/reports", { params: { query: { container_id: id, limit: 20 } } })).items,
  });
  const dialog = useRef<HTMLDialogElement>(null);
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const failure = useFailureMessage();
  const archive = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/containers/{id}/archive", { params: { path: { id } } })),
    onSuccess: async () => {
      dialog.current?.close();
      await queryClient.invalidateQueries({ queryKey: ["containers"] });
      await queryClient.invalidateQueries({ queryKey: ["container", id] });
      navigate("/containers");
    },
  });

  if (query.isPending) return <Loading />;
  if (query.isError) return <QueryError error={query.error} onRetry={() => void query.refetch()} />;
  const c = query.data.container;
  const row = (label: string, value: React.ReactNode) => (
    <div className="flex gap-2 py-1">
      <dt className="w-40 shrink-0 font-semibold">{label}</dt>
      <dd>{value ?? "—"}</dd>
    </div>
  );

  return (
    <section className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center gap-2">
        <h1 className="flex-1 text-2xl font-bold">
          {t("container.title")} <span className="font-mono">{c.public_code}</span>
        </h1>
        {!c.archived_at && (
          <>
            <Link href={`/containers/${id}/edit`} className="btn btn-sm">{t("common.edit")}</Link>
            <button type="button" className="btn btn-sm btn-error" onClick={() => dialog.current?.showModal()}>
              {t("container.archive")}
            </button>
          </>
        )}
      </div>
      <div className="grid gap-4 lg:grid-cols-3">
        <dl className="card bg-base-100 border-base-300 border p-4 lg:col-span-2">
          {row(t("container.status"), <span className={`badge ${STATUS_BADGE[c.status] ?? ""}`}>{t(statusKey(c.status))}</span>)}
          {row(t("container.type"), t(typeKey(c.type)))}
          {row(t("container.address"), c.address)}
          {row(t("filter.site"), sites.data?.find((s) => s.id === c.site_id)?.name)}
          {row(t("filter.area"), areas.data?.find((a) => a.id === c.area_id)?.name)}
          {row(t("container.capacity"), c.capacity_litres)}
          {row(t("container.externalRef"), c.external_ref)}
          {row(t("container.installedOn"), c.installed_on)}
          {row(t("container.location"), `${c.location.latitude.toFixed(5)}, ${c.location.longitude.toFixed(5)}`)}
          {row(t("container.notes"), c.notes)}
          {c.archived_at && row(t("container.archivedAt"), date(c.archived_at))}
        </dl>
        <figure className="card bg-base-100 border-base-300 items-center border p-4">
          {qr.data ? <img src={qr.data} alt={t("container.qrAlt", { code: c.public_code })} className="w-48" /> : <Loading />}
          <figcaption className="mt-2 text-sm">{t("container.qr")}</figcaption>
        </figure>
      </div>
      <div className="grid gap-4 lg:grid-cols-3">
        <Panel title={t("container.history")}>
          {(history.data ?? []).map((h) => (
            <li key={h.id}>{date(h.occurred_at)} — {h.action}</li>
          ))}
        </Panel>
        <Panel title={t("container.visits")}>
          {(visits.data ?? []).map((v, i) => (
            <li key={i}>{v.date} — {String((v.outcome as { kind?: string }).kind ?? "")}</li>
          ))}
        </Panel>
        <Panel title={t("container.reports")}>
          {(reports.data ?? []).map((r) => (
            <li key={r.id}>
              <Link href={`/reports/${r.id}`} className="link">{t(categoryKey(r.category))}</Link> — {t(reportStatusKey(r.status))}
            </li>
          ))}
        </Panel>
      </div>
      <dialog ref={dialog} className="modal" aria-labelledby="archive-title">
        <div className="modal-box">
          <h2 id="archive-title" className="text-lg font-bold">{t("container.archiveConfirm", { code: c.public_code })}</h2>
          {archive.isError && <p role="alert" className="alert alert-error mt-2">{failure(archive.error)}</p>}
          <div className="modal-action">
            <button type="button" className="btn" onClick={() => dialog.current?.close()}>{t("common.cancel")}</button>
            <button type="button" className="btn btn-error" onClick={() => archive.mutate()} disabled={archive.isPending}>
              {t("container.archive")}
            </button>
          </div>
        </div>
      </dialog>
    </section>
  );
}

function Panel({ title, children }: { title: string; children: React.ReactNode[] }) {
  const { t } = useI18n();
  return (
    <div className="card bg-base-100 border-base-300 border p-4">
      <h2 className="mb-2 font-semibold">{title}</h2>
      {children.length ? <ul className="list-inside list-disc text-sm">{children}</ul> : <p className="text-sm">{t("common.empty")}</p>}
    </div>
  );
}
