// One import, followed live until it ends; its rejected rows; cancel before merging.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";
import { Loading, QueryError, useFailureMessage } from "../components/Status";
import { download, fetchBlob } from "../components/useBlobUrl";
import { useI18n } from "../i18n";
import { parseCsv } from "./csv";
import { ENDED } from "./Imports";
import { importStateKey } from "./options";

export function ImportPage({ id }: { id: string }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const failure = useFailureMessage();
  const query = useQuery({
    queryKey: ["import", id],
    queryFn: async () => unwrap(await api.GET("/api/v1/imports/{id}", { params: { path: { id } } })),
    refetchInterval: (q) => (q.state.data && ENDED.includes(q.state.data.state) ? false : 500),
  });
  const job = query.data;
  const ended = job ? ENDED.includes(job.state) : false;
  const rejected = useQuery({
    queryKey: ["import", id, "errors"],
    enabled: ended && (job?.counts.rejected ?? 0) > 0,
    queryFn: async () => parseCsv(await (await fetchBlob(`/api/v1/imports/${id}/errors.csv`)).text()).slice(1, 201),
  });
  const cancel = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/imports/{id}/cancel", { params: { path: { id } } })),
    onSuccess: async (data) => {
      queryClient.setQueryData(["import", id], data);
      await queryClient.invalidateQueries({ queryKey: ["imports"] });
    },
  });

  if (query.isPending) return <Loading />;
  if (query.isError || !job) return <QueryError error={query.error} onRetry={() => void query.refetch()} />;
  const counts = job.counts;

  return (
    <section className="flex flex-col gap-4">
      <h1 className="text-2xl font-bold">{t("import.title", { file: job.file_name })}</h1>
      <div className="card bg-base-100 border-base-300 border p-4" aria-live="polite">
        <p>
          {t("imports.state")}: <strong data-testid="import-state">{t(importStateKey(job.state))}</strong>
          {job.dry_run && <span className="badge badge-info ms-2">{t("imports.dryRun")}</span>}
        </p>
        <progress className="progress progress-primary mt-2 w-full" value={job.percent} max={100} aria-label={t("import.percent", { percent: job.percent })} />
        <p className="text-sm">{t("import.percent", { percent: job.percent })}</p>
        <dl className="mt-2 grid grid-cols-2 gap-1 text-sm sm:grid-cols-6" data-testid="import-counts">
          {(["staged", "valid", "rejected", "inserted", "updated", "unchanged"] as const).map((k) => (
            <div key={k}>
              <dt>{t(`import.${k}`)}</dt>
              <dd className="font-mono text-lg">{counts[k]}</dd>
            </div>
          ))}
        </dl>
        {job.failure && <p role="alert" className="alert alert-error mt-2">{job.failure}</p>}
        <div className="mt-3 flex gap-2">
          {!ended && job.state !== "merging" && (
            <button type="button" className="btn btn-sm btn-warning" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
              {t("import.cancel")}
            </button>
          )}
          {counts.rejected > 0 && (
            <button type="button" className="btn btn-sm" onClick={() => void download(`/api/v1/imports/${id}/errors.csv`, "errors.csv")}>
              {t("import.errorsCsv")}
            </button>
          )}
        </div>
        {cancel.isError && <p role="alert" className="alert alert-error mt-2">{failure(cancel.error)}</p>}
      </div>
      {rejected.data && rejected.data.length > 0 && (
        <div className="overflow-x-auto">
          <h2 className="mb-2 text-xl font-semibold">{t("import.rejected")}</h2>
          <table className="table table-sm" data-testid="rejected-rows">
            <thead>
              <tr>
                <th>{t("import.line")}</th>
                <th>{t("import.column")}</th>
                <th>{t("import.value")}</th>
                <th>{t("import.reason")}</th>
              </tr>
            </thead>
            <tbody>
              {rejected.data.map((r, i) => (
                <tr key={i}>
                  {r.slice(0, 4).map((cell, j) => <td key={j}>{cell}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
