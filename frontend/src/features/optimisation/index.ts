import "./optimisation.css";

export { OptimisationView, type OptimisationSelection } from "./components/OptimisationView";
