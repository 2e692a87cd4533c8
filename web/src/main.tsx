import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Router } from "wouter";
import { App } from "./App";
import { AuthProvider } from "./auth/AuthProvider";
import { ApiFailure } from "./api/client";
import { I18nProvider } from "./i18n";
import "./index.css";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A client error will not fix itself: retry only network failures and 5xx.
      retry: (count, error) => count < 2 && !(error instanceof ApiFailure && error.status < 500),
      staleTime: 10_000,
      refetchOnWindowFocus: false,
    },
  },
});

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <I18nProvider>
          <Router base="/admin">
            <AuthProvider>
              <App />
            </AuthProvider>
          </Router>
        </I18nProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
}
