// An area's boundary, drawn and edited on the map; the API's validation errors (a ring
// that crosses itself…) are shown over the map; a 412 as "someone changed this".
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useRef, useState } from "react";
import { api, ApiFailure, unwrap, type Schemas } from "../api/client";
import { Loading, QueryError, useFailureMessage } from "../components/Status";
import { useI18n } from "../i18n";
import type { AreaEditorHandle, Rings } from "../map/AreaEditor";

const AreaEditor = lazy(() => import("../map/AreaEditor"));

function polygonsOf(boundary: Schemas["AreaDto"]["boundary"]): Rings[] {
  if (!boundary) return [];
  return boundary.type === "Polygon" ? [boundary.coordinates as Rings] : (boundary.coordinates as Rings[]);
}

export function AreaPage({ id }: { id: string }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const failure = useFailureMessage();
  const editor = useRef<AreaEditorHandle | null>(null);
  const [saved, setSaved] = useState(false);
  const query = useQuery({
    queryKey: ["area", id],
    queryFn: async () => {
      const result = await api.GET("/api/v1/areas/{id}", { params: { path: { id } } });
      return { area: unwrap(result), etag: result.response.headers.get("etag") ?? "" };
    },
  });
  const save = useMutation({
    mutationFn: async () => {
      const polygons = editor.current?.polygons() ?? [];
      const boundary =
        polygons.length === 0 ? null : polygons.length === 1 ? { type: "Polygon" as const, coordinates: polygons[0]! } : { type: "MultiPolygon" as const, coordinates: polygons };
      return unwrap(
        await api.PATCH("/api/v1/areas/{id}", {
          params: { path: { id }, header: { "If-Match": query.data?.etag ?? "" } },
          body: { boundary },
        }),
      );
    },
    onMutate: () => setSaved(false),
    onSuccess: async () => {
      setSaved(true);
      await queryClient.invalidateQueries({ queryKey: ["area", id] });
      await queryClient.invalidateQueries({ queryKey: ["areas"] });
    },
  });

  if (query.isPending) return <Loading />;
  if (query.isError) return <QueryError error={query.error} onRetry={() => void query.refetch()} />;
  const area = query.data.area;
  const error = save.error instanceof ApiFailure ? save.error : undefined;
  const message = save.isError ? (error?.fieldError("boundary") ?? failure(save.error)) : null;

  return (
    <section className="flex flex-col gap-3">
      <h1 className="text-2xl font-bold">{t("area.title", { name: area.name })}</h1>
      <p className="text-sm">{t("area.help")}</p>
      <div className="flex flex-wrap gap-2">
        <button type="button" className="btn btn-sm" onClick={() => { save.reset(); editor.current?.draw(); }}>{t("area.draw")}</button>
        <button type="button" className="btn btn-sm" onClick={() => editor.current?.clear()}>{t("area.clear")}</button>
        <button type="button" className="btn btn-sm btn-primary" onClick={() => save.mutate()} disabled={save.isPending}>{t("common.save")}</button>
      </div>
      <div className="relative">
        <Suspense fallback={<Loading />}>
          <AreaEditor key={query.data.etag} initial={polygonsOf(area.boundary)} onReady={(handle) => (editor.current = handle)} />
        </Suspense>
        {message && (
          <p role="alert" className="alert alert-error absolute top-3 left-3 max-w-md shadow">
            {error?.status === 412 ? t("error.conflict") : message}
          </p>
        )}
        {saved && <p role="status" className="alert alert-success absolute top-3 left-3 shadow">{t("area.saved")}</p>}
      </div>
    </section>
  );
}
