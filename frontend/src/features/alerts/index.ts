// The alerts feature's public surface: the Alerts page's view (the app composes it).
import "./alerts.css";
export { AlertsView } from "./components/AlertsView";
