// The printable tour sheet (A4): the stops in order with code, address, type and boxes to
// tick, 25 stops a page, each page headed with the tour (driver, vehicle, date).
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { ErrorState, Loading } from "../../components/Status";
import { useI18n } from "../../i18n";
import { useDrivers, type Tour } from "./common";

export const STOPS_PER_PAGE = 25;

export function TourSheet({ id }: { id: string }) {
  const { t } = useI18n();
  const drivers = useDrivers();
  const tour = useQuery({
    queryKey: ["tour", id],
    queryFn: async () => unwrap(await api.GET("/api/v1/tours/{tour_id}", { params: { path: { tour_id: id } } })) as Tour,
  });
  if (tour.isPending) return <Loading />;
  if (tour.isError) return <ErrorState message={t("error.notFound")} />;
  const data = tour.data;
  const pages: Tour["stops"][] = [];
  for (let i = 0; i < data.stops.length; i += STOPS_PER_PAGE) pages.push(data.stops.slice(i, i + STOPS_PER_PAGE));
  if (pages.length === 0) pages.push([]);
  const driver = drivers.data?.find((d) => d.id === data.driver_id)?.display_name ?? t("tours.noDriver");
  return (
    <div className="tour-sheet">
      <button type="button" className="btn btn-primary mb-4 print:hidden" onClick={() => window.print()}>
        {t("tours.printNow")}
      </button>
      {pages.map((stops, page) => (
        <section key={page} className="sheet-page" data-testid="sheet-page">
          <h1 className="text-lg font-bold">
            {t("tours.sheetTitle", { date: data.date, vehicle: data.vehicle ?? t("tours.noVehicle"), driver })}
          </h1>
          <p className="text-xs">{t("tours.sheetPage", { page: page + 1, pages: pages.length })}</p>
          <table className="w-full border-collapse text-xs">
            <thead>
              <tr>
                <th className="border px-1 text-left">#</th>
                <th className="border px-1 text-left">{t("tours.code")}</th>
                <th className="border px-1 text-left">{t("tours.address")}</th>
                <th className="border px-1 text-left">{t("tours.fillShort")}</th>
                <th className="border px-1 text-left">{t("tours.weight")}</th>
                <th className="border px-1 text-left">{t("tours.done")}</th>
              </tr>
            </thead>
            <tbody>
              {stops.map((stop) => (
                <tr key={stop.container_id}>
                  <td className="border px-1">{stop.position}</td>
                  <td className="border px-1 font-mono">{stop.public_code}</td>
                  <td className="border px-1">{stop.address}</td>
                  <td className="w-14 border px-1" />
                  <td className="w-14 border px-1" />
                  <td className="w-10 border px-1">☐</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </div>
  );
}
