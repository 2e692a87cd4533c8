// The drivers' installable app, served at /driver/ (a second build of this project, see
// vite.driver.config.ts). Works offline: the service worker keeps the app, IndexedDB keeps
// today's tours and the actions waiting to be sent.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Router } from "wouter";
import { I18nProvider } from "../i18n";
import "../index.css";
import { DriverApp } from "./DriverApp";
import { DriverProvider } from "./DriverState";

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <I18nProvider>
        <Router base="/driver">
          <DriverProvider>
            <DriverApp />
          </DriverProvider>
        </Router>
      </I18nProvider>
    </StrictMode>,
  );
}
