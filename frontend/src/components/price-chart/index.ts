export { PriceChart, type PriceChartProps } from "./PriceChart";
export type { PriceChartDebug } from "./debug";
export { type CandleColumns, type PriceLine, indexAtOrBefore } from "./model/columns";
export { tradeMarkers, markerId, type MarkedTrade, type TradeMarkerInfo, type TradeMarkers } from "./model/trade-markers";
export { tradeZoomRange, type LogicalRange } from "./model/zoom";
export { formatChange, legendAt, type LegendValues } from "./model/legend";
export { tooltipPosition } from "./model/tooltip";
