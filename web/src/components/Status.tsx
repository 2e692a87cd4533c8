// Loading and failure states: a failure always offers a retry, never a blank page.
import { ApiFailure } from "../api/client";
import { useI18n } from "../i18n";

export function Loading() {
  const { t } = useI18n();
  return (
    <div className="flex justify-center p-8" role="status">
      <span className="loading loading-spinner loading-lg" aria-hidden="true" />
      <span className="sr-only">{t("common.loading")}</span>
    </div>
  );
}

export function ErrorState({ message, onRetry }: { message: string; onRetry?: () => void }) {
  const { t } = useI18n();
  return (
    <div role="alert" className="alert alert-error m-4 flex flex-wrap">
      <span>{message}</span>
      {onRetry && (
        <button type="button" className="btn btn-sm" onClick={onRetry}>
          {t("common.retry")}
        </button>
      )}
    </div>
  );
}

/** The message for a failed query: the server's words for a 4xx, ours otherwise. */
export function useFailureMessage() {
  const { t } = useI18n();
  return (error: unknown): string => {
    if (error instanceof ApiFailure) {
      if (error.status === 404) return t("error.notFound");
      if (error.status === 409 || error.status === 412) return t("error.conflict");
      if (error.status >= 500) return t("error.server");
      return error.message;
    }
    return t("error.network");
  };
}

export function QueryError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const message = useFailureMessage()(error);
  return <ErrorState message={message} onRetry={onRetry} />;
}
