// Keyset paging: the cursors of the pages seen so far, so "previous" needs no offset.
import { useCallback, useMemo, useState } from "react";
import { useI18n } from "../i18n";

export function useCursor() {
  const [stack, setStack] = useState<(string | undefined)[]>([undefined]);
  const next = useCallback((c: string) => setStack((s) => [...s, c]), []);
  const previous = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  // Keeps the same array when already on the first page, so resetting twice is free.
  const reset = useCallback(() => setStack((s) => (s.length === 1 && s[0] === undefined ? s : [undefined])), []);
  return useMemo(
    () => ({ cursor: stack[stack.length - 1], page: stack.length, next, previous, reset }),
    [stack, next, previous, reset],
  );
}

export function Pager({
  page,
  nextCursor,
  onNext,
  onPrevious,
}: {
  page: number;
  nextCursor: string | null | undefined;
  onNext: (c: string) => void;
  onPrevious: () => void;
}) {
  const { t } = useI18n();
  return (
    <div className="join mt-3">
      <button type="button" className="join-item btn btn-sm" disabled={page <= 1} onClick={onPrevious}>
        {t("pager.previous")}
      </button>
      <span className="join-item btn btn-sm btn-disabled" aria-live="polite">
        {t("pager.page", { n: page })}
      </span>
      <button type="button" className="join-item btn btn-sm" disabled={!nextCursor} onClick={() => nextCursor && onNext(nextCursor)}>
        {t("pager.next")}
      </button>
    </div>
  );
}
