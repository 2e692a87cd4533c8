// Uploads with progress: fetch cannot report upload progress, XMLHttpRequest can.
import { accessToken, refresh } from "../api/session";
import { ApiFailure } from "../api/client";

export interface Created {
  id: string;
  url: string;
}

function send(file: File, dryRun: boolean, onProgress: (fraction: number) => void): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const query = new URLSearchParams({ file_name: file.name, dry_run: String(dryRun) });
    xhr.open("POST", `/api/v1/imports?${query}`);
    xhr.setRequestHeader("content-type", "text/csv");
    const token = accessToken();
    if (token) xhr.setRequestHeader("authorization", `Bearer ${token}`);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new Error("network"));
    xhr.send(file);
  });
}

export async function uploadImport(file: File, dryRun: boolean, onProgress: (fraction: number) => void): Promise<Created> {
  let result = await send(file, dryRun, onProgress);
  if (result.status === 401 && (await refresh())) result = await send(file, dryRun, onProgress);
  if (result.status === 202) return result.body as Created;
  throw new ApiFailure(result.status, result.body as ApiFailure["problem"]);
}
