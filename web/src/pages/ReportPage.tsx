// One public report: its history and every moderation action, assignment included.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "wouter";
import { api, unwrap, type Schemas } from "../api/client";
import { Loading, QueryError, useFailureMessage } from "../components/Status";
import { useI18n } from "../i18n";
import { categoryKey, reportStatusKey } from "./options";

type Moderation = Schemas["ModerationDto"];

export function ReportPage({ id }: { id: string }) {
  const { t, dateTime: date } = useI18n();
  const queryClient = useQueryClient();
  const failure = useFailureMessage();
  const [text, setText] = useState("");
  const [assignee, setAssignee] = useState("");
  const query = useQuery({
    queryKey: ["report", id],
    queryFn: async () => unwrap(await api.GET("/api/v1/reports/{id}", { params: { path: { id } } })),
  });
  const users = useQuery({
    queryKey: ["users", "assignable"],
    queryFn: async () => unwrap(await api.GET("/api/v1/users", { params: { query: { limit: 200 } } })).items,
    retry: false,
  });
  const moderate = useMutation({
    mutationFn: async (body: Moderation) => unwrap(await api.POST("/api/v1/reports/{id}/moderation", { params: { path: { id } }, body })),
    onSuccess: async () => {
      setText("");
      await queryClient.invalidateQueries({ queryKey: ["report", id] });
      await queryClient.invalidateQueries({ queryKey: ["reports"] });
    },
  });

  if (query.isPending) return <Loading />;
  if (query.isError) return <QueryError error={query.error} onRetry={() => void query.refetch()} />;
  const r = query.data;
  const open = r.status !== "resolved" && r.status !== "rejected";

  return (
    <section className="flex max-w-3xl flex-col gap-4">
      <h1 className="text-2xl font-bold">
        {t("report.title", { category: t(categoryKey(r.category)) })}
      </h1>
      <dl className="card bg-base-100 border-base-300 border p-4 text-sm">
        <div><dt className="inline font-semibold">{t("filter.status")}: </dt><dd className="inline" data-testid="report-status">{t(reportStatusKey(r.status))}</dd></div>
        <div><dt className="inline font-semibold">{t("container.code")}: </dt><dd className="inline"><Link href={`/containers/${r.container_id}`} className="link font-mono">{r.container_code}</Link></dd></div>
        <div><dt className="inline font-semibold">{t("reports.count")}: </dt><dd className="inline">{r.count}</dd></div>
        <div><dt className="inline font-semibold">{t("report.description")}: </dt><dd className="inline whitespace-pre-wrap">{r.description ?? "—"}</dd></div>
      </dl>
      {moderate.isError && <p role="alert" className="alert alert-error">{failure(moderate.error)}</p>}
      <div className="flex flex-wrap gap-2">
        {r.status === "new" && <button type="button" className="btn btn-sm" onClick={() => moderate.mutate({ action: "acknowledge" })}>{t("report.acknowledge")}</button>}
        {open && r.status !== "in_progress" && <button type="button" className="btn btn-sm" onClick={() => moderate.mutate({ action: "start" })}>{t("report.start")}</button>}
        {open && <button type="button" className="btn btn-sm btn-success" onClick={() => moderate.mutate({ action: "resolve", comment: text || null })}>{t("report.resolve")}</button>}
        {open && <button type="button" className="btn btn-sm btn-error" disabled={!text.trim()} onClick={() => moderate.mutate({ action: "reject", reason: text })}>{t("report.reject")}</button>}
        <button type="button" className="btn btn-sm" disabled={!text.trim()} onClick={() => moderate.mutate({ action: "comment", text })}>{t("report.comment")}</button>
      </div>
      <label className="flex flex-col gap-1">
        <span className="text-sm">{t("report.text")}</span>
        <textarea className="textarea w-full" value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      {users.data && (
        <div className="flex flex-wrap items-end gap-2">
          <label className="flex flex-col gap-1">
            <span className="text-sm">{t("report.assignee")}</span>
            <select className="select select-sm" value={assignee || r.assignee_id || ""} onChange={(e) => setAssignee(e.target.value)}>
              <option value="">—</option>
              {users.data.map((u) => <option key={u.id} value={u.id}>{u.display_name}</option>)}
            </select>
          </label>
          <button type="button" className="btn btn-sm" disabled={!assignee} onClick={() => moderate.mutate({ action: "assign", assignee_id: assignee })}>{t("report.assign")}</button>
        </div>
      )}
      <h2 className="text-xl font-semibold">{t("report.history")}</h2>
      <ol className="list-inside list-decimal text-sm" data-testid="report-history">
        {r.history.map((h, i) => (
          <li key={i}>
            {date(h.occurred_at)} — {h.status ? t(reportStatusKey(h.status)) : ""} {h.comment ?? ""}
          </li>
        ))}
      </ol>
    </section>
  );
}
