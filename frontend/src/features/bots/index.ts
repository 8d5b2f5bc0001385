// The bots feature's public surface: what the app composes (Bots, Bot and Dashboard pages).
import "./bots.css";
export { BotDetailView } from "./components/BotDetailView";
export { BotsView } from "./components/BotsView";
export { DashboardView } from "./components/DashboardView";
