// An object URL for a resource that needs the bearer token (an <img> cannot send it).
import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { authFetch } from "../api/session";

export async function fetchBlob(path: string): Promise<Blob> {
  const response = await authFetch(new Request(path));
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.blob();
}

export function useBlobUrl(path: string) {
  const query = useQuery({ queryKey: ["blob", path], queryFn: async () => URL.createObjectURL(await fetchBlob(path)), staleTime: Infinity, gcTime: 0 });
  const url = query.data;
  useEffect(() => () => { if (url) URL.revokeObjectURL(url); }, [url]);
  return query;
}

/** Saves a protected file under `name` (errors.csv, the template). */
export async function download(path: string, name: string) {
  const url = URL.createObjectURL(await fetchBlob(path));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Opens a protected HTML page (the label sheet) in a new tab. */
export async function openHtml(path: string) {
  const tab = window.open("", "_blank");
  const blob = await fetchBlob(path);
  const url = URL.createObjectURL(new Blob([await blob.text()], { type: "text/html" }));
  if (tab) tab.location.href = url;
  else window.location.href = url;
}
