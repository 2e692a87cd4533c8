// Queues (admins): depths and dead jobs, with retry and discard.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import { api, unwrap } from "../api/client";
import type { components } from "../api/schema";
import { Loading, QueryError, useFailureMessage } from "../components/Status";
import { useI18n } from "../i18n";

export function Queues() {
  const { t } = useI18n();
  const query = useQuery({ queryKey: ["queues"], queryFn: async () => unwrap(await api.GET("/api/v1/admin/queues")).items, refetchInterval: 5000 });
  if (query.isPending) return <Loading />;
  if (query.isError) return <QueryError error={query.error} onRetry={() => void query.refetch()} />;
  return (
    <section className="flex flex-col gap-4">
      <h1 className="text-2xl font-bold">{t("queues.title")}</h1>
      <table className="table table-sm">
        <thead>
          <tr>
            <th>{t("queues.name")}</th>
            <th>{t("queues.depth")}</th>
            <th>{t("queues.inFlight")}</th>
            <th>{t("queues.delayed")}</th>
            <th>{t("queues.dead")}</th>
          </tr>
        </thead>
        <tbody>
          {query.data.map((q) => (
            <tr key={q.name}>
              <td>{q.name}</td>
              <td>{q.depth}</td>
              <td>{q.in_flight}</td>
              <td>{q.delayed}</td>
              <td>{q.dead}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {query.data.filter((q) => q.dead > 0).map((q) => <DeadJobs key={q.name} queue={q.name} />)}
    </section>
  );
}

function DeadJobs({ queue }: { queue: string }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: ["queues", queue, "dead"],
    queryFn: async () => unwrap(await api.GET("/api/v1/admin/queues/{queue}/dead", { params: { path: { queue, limit: null } } })).items,
    refetchInterval: 5000,
  });
  return (
    <div>
      <h2 className="mb-2 text-xl font-semibold">{t("queues.deadOf", { queue })}</h2>
      <ul className="flex flex-col gap-2">
        {(query.data ?? []).map((job) => (
          <DeadJobCard key={job.dead_id} queue={queue} job={job} onChange={() => queryClient.invalidateQueries({ queryKey: ["queues"] })} />
        ))}
      </ul>
    </div>
  );
}

type DeadJob = components["schemas"]["DeadJobDto"];

/** One dead job: what failed, when and why; retry it, or discard it after a confirmation. */
function DeadJobCard({ queue, job, onChange }: { queue: string; job: DeadJob; onChange: () => unknown }) {
  const { t, dateTime } = useI18n();
  const failure = useFailureMessage();
  const confirm = useRef<HTMLDialogElement>(null);
  const path = { queue, dead_id: job.dead_id };
  const retry = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/admin/queues/{queue}/dead/{dead_id}/retry", { params: { path } })),
    onSuccess: onChange,
  });
  const discard = useMutation({
    mutationFn: async () => unwrap(await api.DELETE("/api/v1/admin/queues/{queue}/dead/{dead_id}", { params: { path } })),
    onSuccess: () => {
      confirm.current?.close();
      return onChange();
    },
  });
  const titleId = `dead-${job.dead_id}`;
  return (
    <li className="card bg-base-100 border-base-300 border p-3 text-sm" aria-labelledby={titleId}>
      <p id={titleId}>
        <strong>{job.type}</strong> — {t("queues.failedAt", { date: dateTime(job.failed_at) })} — {t("queues.attempts", { n: job.attempts })}
      </p>
      {job.correlation_id && <p>{t("queues.request", { id: job.correlation_id })}</p>}
      <p className="text-red-700 break-all">{job.error}</p>
      {retry.isError && <p role="alert" className="alert alert-error mt-2">{failure(retry.error)}</p>}
      <div className="mt-2 flex gap-2">
        <button type="button" className="btn btn-xs" onClick={() => retry.mutate()} disabled={retry.isPending}>{t("queues.retry")}</button>
        <button type="button" className="btn btn-xs btn-error" onClick={() => confirm.current?.showModal()}>{t("queues.discard")}</button>
      </div>
      <dialog ref={confirm} className="modal" aria-labelledby={`${titleId}-confirm`}>
        <div className="modal-box">
          <h3 id={`${titleId}-confirm`} className="text-lg font-bold">{t("queues.discardConfirm", { type: job.type })}</h3>
          {discard.isError && <p role="alert" className="alert alert-error mt-2">{failure(discard.error)}</p>}
          <div className="modal-action">
            <button type="button" className="btn" onClick={() => confirm.current?.close()}>{t("common.cancel")}</button>
            <button type="button" className="btn btn-error" onClick={() => discard.mutate()} disabled={discard.isPending}>{t("queues.discard")}</button>
          </div>
        </div>
      </dialog>
    </li>
  );
}
