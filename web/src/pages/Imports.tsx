// Upload a CSV (drag and drop or choose), with upload progress; then its page follows it.
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type DragEvent } from "react";
import { Link, useLocation } from "wouter";
import { api, unwrap } from "../api/client";
import { Pager, useCursor } from "../components/Pager";
import { Loading, QueryError, useFailureMessage } from "../components/Status";
import { download } from "../components/useBlobUrl";
import { useI18n } from "../i18n";
import { importStateKey } from "./options";
import { uploadImport } from "./upload";

export const ENDED = ["completed", "failed", "cancelled"];

export function Imports() {
  const { t, dateTime } = useI18n();
  const [, navigate] = useLocation();
  const [dryRun, setDryRun] = useState(false);
  const [over, setOver] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const failure = useFailureMessage();
  const paging = useCursor();
  const queryClient = useQueryClient();
  const list = useQuery({
    queryKey: ["imports", paging.cursor],
    queryFn: async () => unwrap(await api.GET("/api/v1/imports", { params: { query: { limit: 20, ...(paging.cursor ? { before: paging.cursor } : {}) } } })),
    placeholderData: keepPreviousData,
    staleTime: 0,
    // Running imports move on: refresh while one is listed as running.
    refetchInterval: (q) => (q.state.data?.items.some((i) => !ENDED.includes(i.state)) ? 2000 : false),
  });

  async function start(file: File | undefined) {
    if (!file) return;
    setError(null);
    setProgress(0);
    try {
      const created = await uploadImport(file, dryRun, setProgress);
      await queryClient.invalidateQueries({ queryKey: ["imports"] });
      navigate(`/imports/${created.id}`);
    } catch (e) {
      setError(failure(e));
      setProgress(null);
    }
  }
  function drop(event: DragEvent) {
    event.preventDefault();
    setOver(false);
    void start(event.dataTransfer.files[0]);
  }

  return (
    <section className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-2xl font-bold">{t("imports.title")}</h1>
        <button type="button" className="btn btn-sm" onClick={() => void download("/api/v1/imports/template.csv", "template.csv")}>
          {t("imports.template")}
        </button>
      </div>
      <div
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={drop}
        data-testid="dropzone"
        className={`rounded-box flex flex-col items-center gap-3 border-2 border-dashed p-8 ${over ? "border-primary bg-base-200" : "border-base-300"}`}
      >
        <p>{t("imports.drop")}</p>
        <label className="btn btn-primary">
          {t("imports.choose")}
          <input type="file" accept=".csv,text/csv" className="sr-only" onChange={(e) => void start(e.target.files?.[0])} />
        </label>
        <label className="label cursor-pointer gap-2">
          <input type="checkbox" className="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} />
          <span>{t("imports.dryRun")}</span>
        </label>
        {progress !== null && (
          <label className="w-full max-w-md">
            <span className="text-sm">{t("imports.uploading", { percent: Math.round(progress * 100) })}</span>
            <progress className="progress progress-primary w-full" value={progress * 100} max={100} />
          </label>
        )}
        {error && <p role="alert" className="alert alert-error">{error}</p>}
      </div>
      <h2 className="text-xl font-semibold">{t("imports.past")}</h2>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <QueryError error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <div className="overflow-x-auto">
          <table className="table table-sm">
            <thead>
              <tr>
                <th>{t("imports.file")}</th>
                <th>{t("imports.state")}</th>
                <th>{t("imports.when")}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((i) => (
                <tr key={i.id}>
                  <td><Link href={`/imports/${i.id}`} className="link">{i.file_name}</Link>{i.dry_run ? ` (${t("imports.dryRun")})` : ""}</td>
                  <td>{t(importStateKey(i.state))}</td>
                  <td>{dateTime(i.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={paging.page} nextCursor={list.data.next_cursor} onNext={paging.next} onPrevious={paging.previous} />
        </div>
      )}
    </section>
  );
}
