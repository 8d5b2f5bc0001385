import { formatPrice } from "@/lib/format";
import type { BacktestTrade } from "../api/types";
import { formatKpi } from "../model/kpi-format";
import { activateOnKey } from "./row-keys";
import { formatEpoch } from "./time";

/** Units of the base asset, 4 significant digits. */
const formatSize = (size: number) => (Number.isFinite(size) ? Number(size.toPrecision(4)).toString() : "—");

/** A run's trades. Each row is focusable (Tab) and, when `onSelect` is given, Enter or a click
 * selects it (e.g. to zoom a chart to the trade); `selectedTrade` is the selected trade's number. */
export function TradesTable({
  trades,
  selectedTrade,
  onSelect,
}: {
  trades: BacktestTrade[];
  selectedTrade?: number;
  onSelect?: (tradeNumber: number) => void;
}) {
  return (
    <div className="bt-table-wrap bt-table-wrap--sticky">
      <table className="bt-table bt-trades" data-testid="trades-table">
        <caption>{trades.length} trades</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Side</th>
            <th scope="col">Entry time</th>
            <th scope="col">Entry price</th>
            <th scope="col">Exit time</th>
            <th scope="col">Exit price</th>
            <th scope="col">Size</th>
            <th scope="col">PnL</th>
            <th scope="col">Return</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {trades.map((t) => (
            <tr
              key={t.number}
              tabIndex={0}
              className={`bt-row${onSelect ? " bt-clickable" : ""}${t.number === selectedTrade ? " selected" : ""}`}
              aria-selected={t.number === selectedTrade}
              data-testid="trade-row"
              data-trade-number={t.number}
              onClick={onSelect ? () => onSelect(t.number) : undefined}
              onKeyDown={onSelect ? activateOnKey(() => onSelect(t.number)) : undefined}
            >
              <td>{t.number + 1}</td>
              <td className={t.side === "long" ? "up" : "down"}>{t.side}</td>
              <td>{formatEpoch(t.entry_time, true)}</td>
              <td>{formatPrice(t.entry_price)}</td>
              <td>{formatEpoch(t.exit_time, true)}</td>
              <td>{formatPrice(t.exit_price)}</td>
              <td>{formatSize(t.size)}</td>
              <td className={t.pnl >= 0 ? "up" : "down"}>{formatKpi(t.pnl, "money")}</td>
              <td className={t.return_fraction >= 0 ? "up" : "down"}>{formatKpi(t.return_fraction, "percent")}</td>
              <td>{t.exit_reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
