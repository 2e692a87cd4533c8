// One stop: record a visit (fill level slider, weight, emptied, a problem with its
// category and a note) or a skip with its reason. Saved on the phone first, then sent.
import { useState, type FormEvent } from "react";
import { useLocation } from "wouter";
import { useI18n } from "../i18n";
import { useDriver } from "./DriverState";
import { PROBLEMS, SKIP_REASONS, outcomeKey, problemKey, skipKey } from "./labels";
import { geoLink } from "./TourPage";
import { outcomeOf } from "./types";

export function StopPage({ tourId, containerId }: { tourId: string; containerId: string }) {
  const { t } = useI18n();
  const { tours, record } = useDriver();
  const [, navigate] = useLocation();
  const [mode, setMode] = useState<"visit" | "skip">("visit");
  const [fill, setFill] = useState(50);
  const [weight, setWeight] = useState("");
  const [emptied, setEmptied] = useState(true);
  const [problem, setProblem] = useState("");
  const [problemNote, setProblemNote] = useState("");
  const [reason, setReason] = useState<string>(SKIP_REASONS[0]);
  const [note, setNote] = useState("");
  const tour = tours.find((x) => x.id === tourId);
  const stop = tour?.stops.find((s) => s.container_id === containerId);
  if (!tour || !stop) return <p className="text-lg">{t("error.notFound")}</p>;
  const o = outcomeOf(stop);
  const editable = tour.state === "in_progress" && o.outcome === "pending";
  const back = () => navigate(`/tours/${tourId}`);

  const submitVisit = async (e: FormEvent) => {
    e.preventDefault();
    const kg = weight.trim() === "" ? null : Number(weight.replace(",", "."));
    const described = problem ? `${t(problemKey(problem))}${problemNote.trim() ? ` : ${problemNote.trim()}` : ""}` : null;
    await record({ kind: "visit", tourId, containerId, body: { fill_level: fill, weight_kg: kg, emptied, notes: null, problem: described } });
    back();
  };
  const submitSkip = async (e: FormEvent) => {
    e.preventDefault();
    await record({ kind: "skip", tourId, containerId, body: { reason, note: note.trim() || null } });
    back();
  };

  return (
    <section className="flex flex-col gap-3">
      <h1 className="text-2xl font-bold">
        {stop.position}. {stop.public_code}
      </h1>
      <p className="text-lg">{stop.address}</p>
      <p className="text-lg font-semibold" data-testid="stop-outcome">
        {t(outcomeKey(o.outcome))}
      </p>
      {geoLink(stop) && (
        <a href={geoLink(stop)} className="btn btn-lg min-h-16 border-2 border-black">
          {t("driver.navigate")}
        </a>
      )}
      {!editable && tour.state !== "in_progress" && <p className="alert text-lg">{t("driver.startFirst")}</p>}
      {editable && (
        <>
          <div role="tablist" className="tabs tabs-box">
            <button type="button" role="tab" aria-selected={mode === "visit"} className={`tab tab-lg text-black ${mode === "visit" ? "tab-active" : ""}`} onClick={() => setMode("visit")}>
              {t("driver.visit")}
            </button>
            <button type="button" role="tab" aria-selected={mode === "skip"} className={`tab tab-lg text-black ${mode === "skip" ? "tab-active" : ""}`} onClick={() => setMode("skip")}>
              {t("driver.skip")}
            </button>
          </div>
          {mode === "visit" ? (
            <form onSubmit={(e) => void submitVisit(e)} className="flex flex-col gap-4">
              <label className="flex flex-col gap-1 text-lg">
                {t("driver.fill", { n: fill })}
                <input type="range" min={0} max={100} step={5} value={fill} onChange={(e) => setFill(Number(e.target.value))} className="range range-lg" />
              </label>
              <label className="flex flex-col gap-1 text-lg">
                {t("driver.weightKg")}
                <input type="number" inputMode="decimal" min={0} max={5000} step="0.1" value={weight} onChange={(e) => setWeight(e.target.value)} className="input input-lg w-full border-2 border-black" />
              </label>
              <label className="flex min-h-14 items-center gap-3 text-lg">
                <input type="checkbox" checked={emptied} onChange={(e) => setEmptied(e.target.checked)} className="checkbox checkbox-lg border-2 border-black" />
                {t("driver.emptied")}
              </label>
              <label className="flex flex-col gap-1 text-lg">
                {t("driver.problem")}
                <select value={problem} onChange={(e) => setProblem(e.target.value)} className="select select-lg w-full border-2 border-black">
                  <option value="">{t("driver.noProblem")}</option>
                  {PROBLEMS.map((p) => (
                    <option key={p} value={p}>
                      {t(problemKey(p))}
                    </option>
                  ))}
                </select>
              </label>
              {problem && (
                <label className="flex flex-col gap-1 text-lg">
                  {t("driver.problemNote")}
                  <textarea value={problemNote} onChange={(e) => setProblemNote(e.target.value)} maxLength={900} className="textarea textarea-lg w-full border-2 border-black" />
                </label>
              )}
              <button type="submit" className="btn btn-lg btn-primary min-h-16">
                {t("driver.saveVisit")}
              </button>
            </form>
          ) : (
            <form onSubmit={(e) => void submitSkip(e)} className="flex flex-col gap-4">
              <label className="flex flex-col gap-1 text-lg">
                {t("driver.reason")}
                <select value={reason} onChange={(e) => setReason(e.target.value)} className="select select-lg w-full border-2 border-black">
                  {SKIP_REASONS.map((r) => (
                    <option key={r} value={r}>
                      {t(skipKey(r))}
                    </option>
                  ))}
                </select>
              </label>
              <label className="flex flex-col gap-1 text-lg">
                {t("driver.note")}
                <textarea value={note} onChange={(e) => setNote(e.target.value)} maxLength={900} className="textarea textarea-lg w-full border-2 border-black" />
              </label>
              <button type="submit" className="btn btn-lg btn-warning min-h-16">
                {t("driver.saveSkip")}
              </button>
            </form>
          )}
        </>
      )}
    </section>
  );
}
