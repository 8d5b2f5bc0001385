// The symbols feature's public surface: what the app composes.
export { useSymbols } from "./api/get-symbols";
export { SymbolSelect } from "./components/SymbolSelect";
export { TimeframeSelect } from "./components/TimeframeSelect";
export { coverageOf, findSymbol, pickTimeframe } from "./model/coverage";
export { findSymbolRef, parseSymbolKey, symbolKey, symbolLabel, type SymbolRef } from "@/lib/symbol-ref";
