// Queues (admins): depths and dead jobs, with retry and discard.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";
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
  const failure = useFailureMessage();
  const query = useQuery({
    queryKey: ["queues", queue, "dead"],
    queryFn: async () => unwrap(await api.GET("/api/v1/admin/queues/{queue}/dead", { params: { path: { queue, limit: null } } })).items,
  });
  const done = () => queryClient.invalidateQueries({ queryKey: ["queues"] });
  const retry = useMutation({
    mutationFn: async (dead_id: string) => unwrap(await api.POST("/api/v1/admin/queues/{queue}/dead/{dead_id}/retry", { params: { path: { queue, dead_id } } })),
    onSuccess: done,
  });
  const discard = useMutation({
    mutationFn: async (dead_id: string) => unwrap(await api.DELETE("/api/v1/admin/queues/{queue}/dead/{dead_id}", { params: { path: { queue, dead_id } } })),
    onSuccess: done,
  });
  const error = retry.error ?? discard.error;
  return (
    <div>
      <h2 className="mb-2 text-xl font-semibold">{t("queues.deadOf", { queue })}</h2>
      {error && <p role="alert" className="alert alert-error">{failure(error)}</p>}
      <ul className="flex flex-col gap-2">
        {(query.data ?? []).map((job) => (
          <li key={job.dead_id} className="card bg-base-100 border-base-300 border p-3 text-sm">
            <p><strong>{job.type}</strong> — {t("queues.attempts", { n: job.attempts })}</p>
            <p className="text-red-700 break-all">{job.error}</p>
            <div className="mt-2 flex gap-2">
              <button type="button" className="btn btn-xs" onClick={() => retry.mutate(job.dead_id)}>{t("queues.retry")}</button>
              <button type="button" className="btn btn-xs btn-error" onClick={() => discard.mutate(job.dead_id)}>{t("queues.discard")}</button>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
