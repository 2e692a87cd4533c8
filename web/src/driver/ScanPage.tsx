// Scan a container's QR label with the camera: the browser's BarcodeDetector where it has
// one, jsQR (loaded only then) otherwise. The label holds `{PUBLIC_BASE_URL}/c/{code}`;
// online the API finds the stop (`/scan/{code}`), offline the phone's copy of the tour.
import { useEffect, useRef, useState } from "react";
import { useLocation } from "wouter";
import { authFetch } from "../api/session";
import { useI18n } from "../i18n";
import { useDriver } from "./DriverState";

interface Detector {
  detect: (source: CanvasImageSource) => Promise<{ rawValue: string }[]>;
}
type DetectorClass = { new (o: { formats: string[] }): Detector; getSupportedFormats?: () => Promise<string[]> };

/** The public code in a label's text: the last path segment after `/c/`, or the text itself. */
export function codeOf(text: string): string {
  const match = /\/c\/([^/?#\s]+)/.exec(text);
  return decodeURIComponent(match ? match[1]! : text.trim()).toUpperCase();
}

async function makeDecoder(): Promise<(video: HTMLVideoElement, canvas: HTMLCanvasElement) => Promise<string | null>> {
  const Native = (window as unknown as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
  if (Native && (await Native.getSupportedFormats?.())?.includes("qr_code")) {
    const detector = new Native({ formats: ["qr_code"] });
    return async (video) => (await detector.detect(video))[0]?.rawValue ?? null;
  }
  const { default: jsQR } = await import("jsqr");
  return async (video, canvas) => {
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (!width || !height) return null;
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d", { willReadFrequently: true });
    if (!context) return null;
    context.drawImage(video, 0, 0, width, height);
    const image = context.getImageData(0, 0, width, height);
    return jsQR(image.data, width, height, { inversionAttempts: "dontInvert" })?.data ?? null;
  };
}

export default function ScanPage({ tourId }: { tourId: string }) {
  const { t } = useI18n();
  const { tours, online } = useDriver();
  const [, navigate] = useLocation();
  const video = useRef<HTMLVideoElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [message, setMessage] = useState<string>(t("driver.scanHint"));
  const tour = tours.find((x) => x.id === tourId);
  // The scanning loop reads the latest tour and network state without restarting.
  const latest = useRef({ tour, online });
  useEffect(() => {
    latest.current = { tour, online };
  });

  useEffect(() => {
    let stream: MediaStream | null = null;
    let stopped = false;
    const found = (containerId: string) => navigate(`/tours/${tourId}/stops/${containerId}`);
    const resolve = async (code: string) => {
      const { tour: current, online: connected } = latest.current;
      const local = current?.stops.find((s) => s.public_code?.toUpperCase() === code);
      const missing = () => setMessage(t("driver.notOnTour", { code }));
      if (!connected) return local ? found(local.container_id) : missing();
      try {
        const response = await authFetch(new Request(`/api/v1/me/tours/${tourId}/scan/${encodeURIComponent(code)}`));
        if (response.ok) found(((await response.json()) as { container_id: string }).container_id);
        else if (response.status === 404) missing();
        else setMessage(t("error.server"));
      } catch {
        if (local) found(local.container_id);
        else missing();
      }
    };
    (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
        if (stopped || !video.current) return;
        video.current.srcObject = stream;
        await video.current.play();
        const decode = await makeDecoder();
        while (!stopped) {
          const text = await decode(video.current, canvas.current!).catch(() => null);
          if (text) return await resolve(codeOf(text));
          await new Promise((r) => setTimeout(r, 150));
        }
      } catch {
        setMessage(t("driver.noCamera"));
      }
    })();
    return () => {
      stopped = true;
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, [t, tourId, navigate]);

  return (
    <section className="flex flex-col gap-3">
      <h1 className="text-2xl font-bold">{t("driver.scan")}</h1>
      <video ref={video} muted playsInline className="w-full rounded-lg border-2 border-black bg-black" aria-label={t("driver.camera")} />
      <canvas ref={canvas} hidden />
      <p role="status" className="text-lg font-semibold" data-testid="scan-status">
        {message}
      </p>
      <button type="button" className="btn btn-lg min-h-16 border-2 border-black" onClick={() => navigate(`/tours/${tourId}`)}>
        {t("driver.back")}
      </button>
    </section>
  );
}
