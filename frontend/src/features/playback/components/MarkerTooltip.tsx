import { formatPrice } from "@/lib/format";
import { formatUtc } from "@/lib/time";
import type { EntryMarker } from "../model/series-data";

/** Under the mouse on an arrow: which 5m bars triggered it, at what price. */
export function MarkerTooltip({ marker, x, y }: { marker: EntryMarker; x: number; y: number }) {
  return (
    <div className="marker-tooltip" style={{ left: x + 14, top: y + 14 }} data-testid="marker-tooltip">
      <div className={marker.side === "long" ? "up" : "down"}>
        <strong>{marker.side === "long" ? "LONG" : "SHORT"} entry</strong>
        {marker.entries.length > 1 && ` ×${marker.entries.length}`}
      </div>
      {marker.entries.map((entry) => (
        <div key={entry.bar_time} className="marker-tooltip__row">
          5m bar {formatUtc(entry.bar_time)} · <b>{formatPrice(entry.price)}</b>
        </div>
      ))}
    </div>
  );
}
