// French first, English switchable; the choice is remembered in localStorage.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { en } from "./en";
import { fill } from "./format";
import { fr, type MessageKey } from "./fr";

export type Lang = "fr" | "en";
const catalogs: Record<Lang, Record<MessageKey, string>> = { fr, en };
export type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: T;
  /** A date and time as people of the chosen language write it. */
  dateTime: (iso: string) => string;
}

const Context = createContext<I18n | null>(null);

function initialLang(): Lang {
  const saved = typeof localStorage === "undefined" ? null : localStorage.getItem("lang");
  return saved === "en" ? "en" : "fr";
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem("lang", next);
    setLangState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang,
      t: (key, vars) => fill(catalogs[lang][key], vars),
      dateTime: (iso) => new Date(iso).toLocaleString(lang === "fr" ? "fr-FR" : "en-GB"),
    }),
    [lang, setLang],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(Context);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}
