// Sites: keyset pages, and a short form to add one (422 next to its field).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link } from "wouter";
import { api, ApiFailure, unwrap } from "../api/client";
import { Pager, useCursor } from "../components/Pager";
import { Loading, QueryError, useFailureMessage } from "../components/Status";
import { useI18n } from "../i18n";

export function Sites() {
  const { t } = useI18n();
  const paging = useCursor();
  const query = useQuery({
    queryKey: ["sites", paging.cursor],
    queryFn: async () => unwrap(await api.GET("/api/v1/sites", { params: { query: { limit: 25, ...(paging.cursor ? { after: paging.cursor } : {}) } } })),
    placeholderData: keepPreviousData,
  });
  return (
    <section className="flex flex-col gap-4">
      <h1 className="text-2xl font-bold">{t("sites.title")}</h1>
      <NewSite />
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <QueryError error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <div className="overflow-x-auto">
          <table className="table table-sm">
            <thead>
              <tr>
                <th>{t("sites.code")}</th>
                <th>{t("sites.name")}</th>
                <th>{t("nav.containers")}</th>
              </tr>
            </thead>
            <tbody>
              {query.data.items.map((s) => (
                <tr key={s.id}>
                  <td className="font-mono">{s.code}</td>
                  <td>{s.name}</td>
                  <td><Link href={`/containers?site_id=${s.id}`} className="link">{t("sites.containers")}</Link></td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={paging.page} nextCursor={query.data.next_cursor} onNext={paging.next} onPrevious={paging.previous} />
        </div>
      )}
    </section>
  );
}

function NewSite() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const failure = useFailureMessage();
  const [form, setForm] = useState({ code: "", name: "" });
  const create = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/sites", { body: form })),
    onSuccess: async () => {
      setForm({ code: "", name: "" });
      await queryClient.invalidateQueries({ queryKey: ["sites"] });
    },
  });
  const error = create.error instanceof ApiFailure ? create.error : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-2" noValidate>
      {(["code", "name"] as const).map((name) => (
        <div key={name} className="flex flex-col gap-1">
          <label htmlFor={`site-${name}`} className="text-sm">{t(`sites.${name}`)}</label>
          <input id={`site-${name}`} className="input input-sm" value={form[name]} aria-invalid={Boolean(error?.fieldError(name)) || undefined}
            onChange={(e) => setForm((f) => ({ ...f, [name]: e.target.value }))} />
          {error?.fieldError(name) && <p className="text-red-700 text-sm" role="alert">{error.fieldError(name)}</p>}
        </div>
      ))}
      <button type="submit" className="btn btn-sm btn-primary">{t("sites.add")}</button>
      {create.isError && !error?.problem?.errors?.length && <p role="alert" className="text-red-700 text-sm">{failure(create.error)}</p>}
    </form>
  );
}
