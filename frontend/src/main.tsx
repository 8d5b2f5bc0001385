import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { BacktestsApp } from "./app/BacktestsApp";
import { pageFromSearch } from "./app/pages";
import { AppProviders } from "./app/providers";
import "./index.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

// Pages are plain links (a full load): the replay keeps its own URL state untouched.
const page = pageFromSearch(window.location.search);

createRoot(root).render(
  <StrictMode>
    <AppProviders>{page === "backtests" ? <BacktestsApp /> : <App />}</AppProviders>
  </StrictMode>,
);
