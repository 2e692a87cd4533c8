// The console's session: the access token lives in memory only; the refresh token is an
// HttpOnly cookie scoped to /api/v1/auth/session that scripts cannot read. A reload calls
// refresh to get a new access token; a timer refreshes a minute before expiry.
const SESSION = "/api/v1/auth/session";

interface Access {
  token: string;
  expiresAt: number;
}

let access: Access | null = null;
let inFlight: Promise<boolean> | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<(signedIn: boolean) => void>();

export function accessToken(): string | null {
  return access?.token ?? null;
}

export function onSessionChange(listener: (signedIn: boolean) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function store(body: { access_token: string; expires_in: number }) {
  access = { token: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 };
  clearTimeout(timer);
  // Silent refresh a minute before expiry (or halfway for very short tokens).
  const lead = Math.min(60, body.expires_in / 2) * 1000;
  timer = setTimeout(() => void refresh(), Math.max(1000, body.expires_in * 1000 - lead));
  listeners.forEach((l) => l(true));
}

function clear() {
  access = null;
  clearTimeout(timer);
  listeners.forEach((l) => l(false));
}

/** A new access token from the cookie; false when there is no session any more. */
export function refresh(): Promise<boolean> {
  inFlight ??= (async () => {
    try {
      const response = await fetch(`${SESSION}/refresh`, { method: "POST", credentials: "same-origin" });
      if (response.ok) {
        store(await response.json());
        return true;
      }
      if (response.status === 401) clear();
      else throw new Error(`refresh: HTTP ${response.status}`);
      return false;
    } finally {
      inFlight = null;
    }
  })();
  return inFlight;
}

export class SignInError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function signIn(email: string, password: string): Promise<void> {
  const response = await fetch(SESSION, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new SignInError(response.status, problem.detail ?? response.statusText);
  }
  store(await response.json());
}

export async function signOut(): Promise<void> {
  const token = accessToken();
  try {
    if (token) {
      await fetch(`${SESSION}/logout`, {
        method: "POST",
        credentials: "same-origin",
        headers: { authorization: `Bearer ${token}` },
      });
    }
  } finally {
    clear();
  }
}

/** fetch with the bearer token; a 401 refreshes once and retries. */
export async function authFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  const withToken = (request: Request) => {
    const token = accessToken();
    if (token) request.headers.set("authorization", `Bearer ${token}`);
    // the API words problems and import failures in the console's language (set on <html>
    // by the language switch), not the browser's
    const lang = typeof document === "undefined" ? "" : document.documentElement.lang;
    request.headers.set("accept-language", lang === "en" ? "en" : "fr");
    return request;
  };
  const response = await fetch(withToken(input));
  if (response.status !== 401) return response;
  if (!(await refresh())) return response;
  return fetch(withToken(retry));
}
