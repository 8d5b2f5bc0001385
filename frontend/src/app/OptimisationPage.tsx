import { useNavigate, useParams } from "react-router";
import { OptimisationView, type OptimisationSelection } from "@/features/optimisation";
import { useSymbols } from "@/features/symbols";
import { AppHeader } from "./AppHeader";
import { NotFoundMessage } from "./NotFoundPage";
import { routeId } from "./pages";

/** /optimisation, /optimisation/studies/<id>, /optimisation/walk-forwards/<id>: the selection is the URL. */
export function OptimisationPage() {
  const { studyId, walkId } = useParams();
  const navigate = useNavigate();
  const symbols = useSymbols();
  const study = routeId(studyId);
  const walk = routeId(walkId);
  const badId = (studyId !== undefined && study === null) || (walkId !== undefined && walk === null);
  const selection: OptimisationSelection = study !== null ? { kind: "study", id: study } : walk !== null ? { kind: "walk-forward", id: walk } : null;
  const select = (next: OptimisationSelection) => {
    if (!next) navigate("/optimisation");
    else navigate(next.kind === "study" ? `/optimisation/studies/${next.id}` : `/optimisation/walk-forwards/${next.id}`);
  };
  return (
    <div className="app app--scroll">
      <AppHeader />
      <main className="app-main">
        {badId ? <NotFoundMessage /> : <OptimisationView symbols={symbols.data ?? []} selection={selection} onSelect={select} onBot={(id) => navigate(`/bots/${id}`)} />}
      </main>
    </div>
  );
}
