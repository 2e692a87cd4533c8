// The phone's copy of a tour with the waiting actions on top, and reading a label.
import { describe, expect, it } from "vitest";
import { isLate } from "../pages/tours/common";
import { metres, view } from "./apply";
import { codeOf } from "./ScanPage";
import type { Queued, Tour } from "./types";

const stop = (id: string, position: number) => ({ container_id: id, position, public_code: id.toUpperCase(), outcome: { outcome: "pending" } });
const tour = {
  id: "t1",
  state: "planned",
  stops: [stop("a", 1), stop("b", 2), stop("c", 3)],
  progress: { visited: 0, skipped: 0, total: 3, weight_kg: 0 },
} as unknown as Tour;
const queued = (action: Queued["action"], state: Queued["state"] = "waiting"): Queued => ({ action, key: "k", userId: "u", recordedAt: "2026-12-03T10:00:00Z", state });

describe("the tour as the driver sees it", () => {
  it("applies the waiting actions in order, not the refused ones", () => {
    const [shown] = view(
      [tour],
      [
        queued({ kind: "start", tourId: "t1" }),
        queued({ kind: "visit", tourId: "t1", containerId: "a", body: { fill_level: 80, weight_kg: 40, emptied: true, notes: null, problem: null } }),
        queued({ kind: "skip", tourId: "t1", containerId: "b", body: { reason: "blocked", note: null } }),
        queued({ kind: "visit", tourId: "t1", containerId: "c", body: { fill_level: 10, weight_kg: 5, emptied: true, notes: null, problem: null } }, "conflict"),
      ],
    );
    expect(shown!.state).toBe("in_progress");
    expect(shown!.stops.map((s) => (s.outcome as unknown as { outcome: string }).outcome)).toEqual(["visited", "skipped", "pending"]);
    expect(shown!.progress).toEqual({ visited: 1, skipped: 1, total: 3, weight_kg: 40 });
  });

  it("measures great-circle metres", () => {
    expect(metres({ latitude: 45.76, longitude: 4.83 }, { latitude: 45.77, longitude: 4.83 })).toBeCloseTo(1112, -1);
  });
});

describe("labels and lateness", () => {
  it("reads the code from a label's URL", () => {
    expect(codeOf("http://127.0.0.1:8080/c/k7m3qpx")).toBe("K7M3QPX");
    expect(codeOf(" K7M3QPX ")).toBe("K7M3QPX");
  });

  it("calls a tour late once its start passed without it starting", () => {
    expect(isLate({ state: "planned", date: "2026-12-03" }, new Date(2026, 11, 3, 7, 30))).toBe(true);
    expect(isLate({ state: "planned", date: "2026-12-03" }, new Date(2026, 11, 3, 7, 10))).toBe(false);
    expect(isLate({ state: "in_progress", date: "2026-12-03" }, new Date(2026, 11, 3, 9))).toBe(false);
    expect(isLate({ state: "draft", date: "2026-12-03" }, new Date(2026, 11, 3, 9))).toBe(false);
  });
});
