// The driver app's state: who is signed in (kept on the phone, so the app opens offline),
// today's tours (server copy + waiting actions), the queue, and when to send it: at
// start, on every action, when the network returns, and every 15 s while some wait.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { components } from "../api/schema";
import { authFetch, refresh, signIn as sessionSignIn, signOut as sessionSignOut } from "../api/session";
import { view } from "./apply";
import { dequeue, enqueue, getMeta, loadTours, queued, saveTours, setMeta } from "./store";
import { flush } from "./sync";
import type { Action, Queued, Tour } from "./types";

type User = components["schemas"]["UserDto"];

export type Session =
  | { kind: "loading" }
  | { kind: "signedIn"; user: User }
  /** No network at start: the last user's data is shown, actions are queued. */
  | { kind: "offline"; user: User }
  /** Must sign in (again); the queue is kept and sent after. */
  | { kind: "signedOut"; previous?: User };

interface Driver {
  session: Session;
  online: boolean;
  tours: Tour[];
  queue: Queued[];
  sending: boolean;
  record: (action: Action) => Promise<void>;
  sync: () => Promise<void>;
  signIn: (email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  dismiss: (seq: number) => Promise<void>;
}

const Context = createContext<Driver | null>(null);

const today = () => new Date().toISOString().slice(0, 10);

function newKey(): string {
  return crypto.randomUUID();
}

export function DriverProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session>({ kind: "loading" });
  const [online, setOnline] = useState(navigator.onLine);
  const [base, setBase] = useState<Tour[]>([]);
  const [queue, setQueue] = useState<Queued[]>([]);
  const [sending, setSending] = useState(false);
  const sessionRef = useRef(session);
  useEffect(() => {
    sessionRef.current = session;
  }, [session]);

  const reload = useCallback(async () => {
    setBase(await loadTours());
    setQueue(await queued());
  }, []);

  const user = session.kind === "signedIn" || session.kind === "offline" ? session.user : undefined;

  /** Sends the queue, then fetches today's tours afresh. */
  const sync = useCallback(async () => {
    const current = sessionRef.current;
    if (current.kind !== "signedIn" && current.kind !== "offline") return;
    setSending(true);
    try {
      const result = await flush(current.user.id);
      if (result === "signedOut") return setSession({ kind: "signedOut", previous: current.user });
      if (result === "offline") return;
      const response = await authFetch(new Request(`/api/v1/me/tours?date=${today()}`));
      if (response.status === 401) return setSession({ kind: "signedOut", previous: current.user });
      if (response.ok) await saveTours((await response.json()) as Tour[], today());
      if (current.kind === "offline") setSession({ kind: "signedIn", user: current.user });
    } catch {
      // offline: what is stored stays shown
    } finally {
      setSending(false);
      await reload();
    }
  }, [reload]);

  const connect = useCallback(async () => {
    const previous = await getMeta<User>("user");
    try {
      if (!(await refresh())) return setSession({ kind: "signedOut", previous });
      const response = await authFetch(new Request("/api/v1/me"));
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const me = (await response.json()) as User;
      await setMeta("user", me);
      setSession({ kind: "signedIn", user: me });
    } catch {
      setSession(previous ? { kind: "offline", user: previous } : { kind: "signedOut" });
    }
  }, []);

  useEffect(() => {
    // Stored data first (the app is usable at once, even offline), then the session.
    Promise.all([loadTours(), queued()])
      .then(([tours, waiting]) => {
        setBase(tours);
        setQueue(waiting);
      })
      .finally(() => void connect());
  }, [connect]);

  useEffect(() => {
    if (session.kind !== "signedIn") return;
    // after this render, once sessionRef holds the new session
    const timer = setTimeout(() => void sync(), 0);
    return () => clearTimeout(timer);
  }, [session.kind, sync]);

  useEffect(() => {
    const up = () => {
      setOnline(true);
      if (sessionRef.current.kind === "offline") void connect();
      else void sync();
    };
    const down = () => setOnline(false);
    window.addEventListener("online", up);
    window.addEventListener("offline", down);
    return () => {
      window.removeEventListener("online", up);
      window.removeEventListener("offline", down);
    };
  }, [connect, sync]);

  const waiting = queue.some((q) => q.state === "waiting");
  useEffect(() => {
    if (!waiting || !online) return;
    const timer = setInterval(() => void sync(), 15_000);
    return () => clearInterval(timer);
  }, [waiting, online, sync]);

  const record = useCallback(
    async (action: Action) => {
      if (!user) return;
      await enqueue({ action, key: newKey(), userId: user.id, recordedAt: new Date().toISOString(), state: "waiting" });
      await reload();
      if (navigator.onLine) void sync();
    },
    [user, reload, sync],
  );

  const signIn = useCallback(
    async (email: string, password: string) => {
      await sessionSignIn(email, password);
      const response = await authFetch(new Request("/api/v1/me"));
      const me = (await response.json()) as User;
      await setMeta("user", me);
      setSession({ kind: "signedIn", user: me });
    },
    [],
  );

  const signOut = useCallback(async () => {
    await sessionSignOut().catch(() => undefined);
    setSession({ kind: "signedOut", previous: user });
  }, [user]);

  const dismiss = useCallback(
    async (seq: number) => {
      await dequeue(seq);
      await reload();
    },
    [reload],
  );

  const tours = useMemo(() => view(base, queue), [base, queue]);
  const value = { session, online, tours, queue, sending, record, sync, signIn, signOut, dismiss };
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useDriver(): Driver {
  const value = useContext(Context);
  if (!value) throw new Error("useDriver outside DriverProvider");
  return value;
}
