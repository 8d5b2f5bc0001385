/** Says whether the candles come from a real exchange or from the demo's generated series. */
export function DataSourceBadge({ exchange, simulated }: { exchange: string; simulated: boolean }) {
  return simulated ? (
    <span className="badge badge--simulated" data-testid="data-source-badge" data-simulated="true" title="Generated candles (demo data), not market prices">
      SIMULATED data
    </span>
  ) : (
    <span className="badge badge--real" data-testid="data-source-badge" data-simulated="false" title="Candles downloaded from the exchange">
      Real exchange data ({exchange})
    </span>
  );
}
