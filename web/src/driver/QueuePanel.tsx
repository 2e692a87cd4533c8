// The actions recorded on the phone and not yet acknowledged by the server ("waiting to
// send"), and those the server refused (a conflict: shown until the driver dismisses it).
import { useI18n } from "../i18n";
import { useDriver } from "./DriverState";
import type { Queued } from "./types";

function describe(item: Queued, t: ReturnType<typeof useI18n>["t"], code: (tourId: string, cid: string) => string): string {
  const a = item.action;
  if (a.kind === "start") return t("driver.action.start");
  if (a.kind === "complete") return t("driver.action.complete");
  return t(a.kind === "visit" ? "driver.action.visit" : "driver.action.skip", { code: code(a.tourId, a.containerId) });
}

export function QueuePanel() {
  const { t } = useI18n();
  const { queue, tours, dismiss, sync, online, session } = useDriver();
  const mine = session.kind === "signedIn" || session.kind === "offline" ? queue.filter((q) => q.userId === session.user.id) : queue;
  if (mine.length === 0) return null;
  const code = (tourId: string, cid: string) =>
    tours.find((x) => x.id === tourId)?.stops.find((s) => s.container_id === cid)?.public_code ?? cid.slice(0, 8);
  return (
    <section aria-labelledby="queue-title" className="rounded-lg border-2 border-black p-3" data-testid="queue">
      <h2 id="queue-title" className="text-lg font-bold">
        {t("driver.queueTitle")}
      </h2>
      <ul className="flex flex-col gap-2">
        {mine.map((item) => (
          <li key={item.seq} className={`flex flex-wrap items-center gap-2 ${item.state === "conflict" ? "text-red-800" : ""}`} data-state={item.state}>
            <span className="flex-1">
              {describe(item, t, code)} — {item.state === "waiting" ? t("driver.waitingOne") : t("driver.conflict", { reason: item.problem ?? "" })}
            </span>
            {item.state === "conflict" && (
              <button type="button" className="btn btn-sm btn-outline" onClick={() => void dismiss(item.seq!)}>
                {t("driver.dismiss")}
              </button>
            )}
          </li>
        ))}
      </ul>
      {online && mine.some((q) => q.state === "waiting") && (
        <button type="button" className="btn btn-md mt-2" onClick={() => void sync()}>
          {t("driver.sendNow")}
        </button>
      )}
    </section>
  );
}
