// The frame of every staff page: the navigation (a drawer on phones), the language
// switch and sign-out.
import type { ReactNode } from "react";
import { Link, useLocation } from "wouter";
import { useAuth, useUser } from "../auth/AuthProvider";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/fr";

const NAV: { href: string; label: MessageKey; admin?: boolean }[] = [
  { href: "/", label: "nav.dashboard" },
  { href: "/map", label: "nav.map" },
  { href: "/tours", label: "nav.tours" },
  { href: "/containers", label: "nav.containers" },
  { href: "/sites", label: "nav.sites" },
  { href: "/areas", label: "nav.areas" },
  { href: "/imports", label: "nav.imports" },
  { href: "/reports", label: "nav.reports" },
  { href: "/labels", label: "nav.labels" },
  { href: "/users", label: "nav.users", admin: true },
  { href: "/queues", label: "nav.queues", admin: true },
];

export function Shell({ children }: { children: ReactNode }) {
  const { t, lang, setLang } = useI18n();
  const { signOut } = useAuth();
  const user = useUser();
  const [location] = useLocation();
  const links = NAV.filter((item) => !item.admin || user.role === "admin");
  const current = (href: string) => (href === "/" ? location === "/" : location.startsWith(href));

  const menu = (
    <ul className="menu w-full">
      {links.map((item) => (
        <li key={item.href}>
          <Link href={item.href} className={current(item.href) ? "menu-active" : ""} aria-current={current(item.href) ? "page" : undefined}>
            {t(item.label)}
          </Link>
        </li>
      ))}
    </ul>
  );

  return (
    <div className="drawer lg:drawer-open">
      <input id="nav-drawer" type="checkbox" className="drawer-toggle" aria-label={t("nav.menu")} />
      <div className="drawer-content flex min-h-screen flex-col">
        <header className="navbar bg-base-100 border-base-300 gap-2 border-b">
          <label htmlFor="nav-drawer" className="btn btn-ghost btn-sm lg:hidden">
            {t("nav.menu")}
          </label>
          <span className="flex-1 truncate text-lg font-semibold">Tisseco</span>
          <label className="flex items-center gap-1 text-sm">
            <span className="sr-only">{t("nav.language")}</span>
            <select
              className="select select-sm w-auto"
              value={lang}
              onChange={(e) => setLang(e.target.value === "en" ? "en" : "fr")}
            >
              <option value="fr">Français</option>
              <option value="en">English</option>
            </select>
          </label>
          <span className="hidden text-sm sm:inline" data-testid="who">
            {user.display_name} ({user.role})
          </span>
          <button type="button" className="btn btn-sm btn-outline" onClick={() => void signOut()}>
            {t("nav.signOut")}
          </button>
        </header>
        <main className="flex-1 p-3 sm:p-6">{children}</main>
      </div>
      <div className="drawer-side z-20">
        <label htmlFor="nav-drawer" className="drawer-overlay" aria-hidden="true" />
        <nav aria-label={t("nav.main")} className="bg-base-200 min-h-full w-60">
          <div className="p-4 text-xl font-bold">Tisseco</div>
          {menu}
        </nav>
      </div>
    </div>
  );
}
