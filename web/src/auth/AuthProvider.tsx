// Who is signed in. On start-up the cookie is exchanged for an access token (a reload
// keeps the session); when the session ends, every page goes back to sign-in with the
// page it was on kept in `next`.
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { useLocation } from "wouter";
import { api, unwrap, type User } from "../api/client";
import { onSessionChange, refresh, signIn, signOut } from "../api/session";

type State = { kind: "loading" } | { kind: "signedOut" } | { kind: "signedIn"; user: User } | { kind: "offline" };

interface Auth {
  state: State;
  signIn: (email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  retry: () => void;
}

const Context = createContext<Auth | null>(null);

async function loadUser(): Promise<User> {
  return unwrap(await api.GET("/api/v1/me"));
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ kind: "loading" });
  const [attempt, setAttempt] = useState(0);
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();

  useEffect(() => {
    let live = true;
    refresh()
      .then(async (ok) => {
        if (!live) return;
        setState(ok ? { kind: "signedIn", user: await loadUser() } : { kind: "signedOut" });
      })
      .catch(() => live && setState({ kind: "offline" }));
    return () => {
      live = false;
    };
  }, [attempt]);

  useEffect(
    () =>
      onSessionChange((signedIn) => {
        if (signedIn) return;
        queryClient.clear();
        // The staff pages redirect to sign-in themselves, keeping the page to go back to;
        // navigating here too raced with them and could keep the sign-in page as `next`.
        setState({ kind: "signedOut" });
      }),
    [queryClient],
  );

  const doSignIn = useCallback(async (email: string, password: string) => {
    await signIn(email, password);
    setState({ kind: "signedIn", user: await loadUser() });
  }, []);
  const doSignOut = useCallback(async () => {
    await signOut();
    queryClient.clear();
    setState({ kind: "signedOut" });
    navigate("/sign-in");
  }, [navigate, queryClient]);
  const retry = useCallback(() => {
    setState({ kind: "loading" });
    setAttempt((a) => a + 1);
  }, []);

  return (
    <Context.Provider value={{ state, signIn: doSignIn, signOut: doSignOut, retry }}>{children}</Context.Provider>
  );
}

export function useAuth(): Auth {
  const value = useContext(Context);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}

export function useUser(): User {
  const { state } = useAuth();
  if (state.kind !== "signedIn") throw new Error("useUser while signed out");
  return state.user;
}
