// Accounts (admins): create, change role, deactivate.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, ApiFailure, unwrap, type User } from "../api/client";
import { Loading, QueryError, useFailureMessage } from "../components/Status";
import { useI18n } from "../i18n";
import { ROLES, roleKey } from "./options";

export function Users() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const failure = useFailureMessage();
  const query = useQuery({
    queryKey: ["users"],
    queryFn: async () => unwrap(await api.GET("/api/v1/users", { params: { query: { limit: 200, include_inactive: true } } })).items,
  });
  const patch = useMutation({
    mutationFn: async ({ user, body }: { user: User; body: { role?: string; active?: boolean } }) =>
      unwrap(await api.PATCH("/api/v1/users/{id}", { params: { path: { id: user.id } }, headers: { "If-Match": `"${user.version}"` }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["users"] }),
  });
  if (query.isPending) return <Loading />;
  if (query.isError) return <QueryError error={query.error} onRetry={() => void query.refetch()} />;
  return (
    <section className="flex flex-col gap-4">
      <h1 className="text-2xl font-bold">{t("users.title")}</h1>
      <NewUser />
      {patch.isError && <p role="alert" className="alert alert-error">{failure(patch.error)}</p>}
      <div className="overflow-x-auto">
        <table className="table table-sm">
          <thead>
            <tr>
              <th>{t("users.name")}</th>
              <th>{t("users.email")}</th>
              <th>{t("users.role")}</th>
              <th>{t("users.active")}</th>
            </tr>
          </thead>
          <tbody>
            {query.data.map((u) => (
              <tr key={u.id}>
                <td>{u.display_name}</td>
                <td>{u.email}</td>
                <td>
                  <select className="select select-sm" aria-label={t("users.roleOf", { name: u.display_name })} value={u.role} onChange={(e) => patch.mutate({ user: u, body: { role: e.target.value } })}>
                    {ROLES.map((r) => <option key={r} value={r}>{t(roleKey(r))}</option>)}
                  </select>
                </td>
                <td>
                  {u.active ? (
                    <button type="button" className="btn btn-xs" onClick={() => patch.mutate({ user: u, body: { active: false } })}>
                      {t("users.deactivate")}
                    </button>
                  ) : (
                    <span className="badge">{t("users.inactive")}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function NewUser() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const failure = useFailureMessage();
  const empty = { email: "", display_name: "", role: "driver", password: "" };
  const [form, setForm] = useState(empty);
  const create = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/users", { body: form })),
    onSuccess: async () => {
      setForm(empty);
      await queryClient.invalidateQueries({ queryKey: ["users"] });
    },
  });
  const error = create.error instanceof ApiFailure ? create.error : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const input = (name: "email" | "display_name" | "password", label: string, type = "text") => (
    <div className="flex flex-col gap-1">
      <label htmlFor={`user-${name}`} className="text-sm">{label}</label>
      <input id={`user-${name}`} type={type} className="input input-sm" value={form[name]} autoComplete="off"
        onChange={(e) => setForm((f) => ({ ...f, [name]: e.target.value }))} />
      {error?.fieldError(name) && <p className="text-red-700 text-sm" role="alert">{error.fieldError(name)}</p>}
    </div>
  );
  return (
    <form onSubmit={submit} className="card bg-base-100 border-base-300 flex flex-wrap items-end gap-2 border p-3" noValidate>
      <h2 className="w-full font-semibold">{t("users.new")}</h2>
      {input("display_name", t("users.name"))}
      {input("email", t("users.email"), "email")}
      {input("password", t("users.password"), "password")}
      <label className="flex flex-col gap-1">
        <span className="text-sm">{t("users.role")}</span>
        <select className="select select-sm" value={form.role} onChange={(e) => setForm((f) => ({ ...f, role: e.target.value }))}>
          {ROLES.map((r) => <option key={r} value={r}>{t(roleKey(r))}</option>)}
        </select>
      </label>
      <button type="submit" className="btn btn-sm btn-primary">{t("users.create")}</button>
      {create.isError && !error?.problem?.errors?.length && <p role="alert" className="text-red-700 w-full text-sm">{failure(create.error)}</p>}
    </form>
  );
}
