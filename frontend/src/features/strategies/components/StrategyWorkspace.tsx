import { lazy, Suspense, useEffect, useId, useState, type FormEvent, type ReactNode } from "react";
import { Link } from "react-router";
import { Field } from "@/components/Field";
import { Spinner } from "@/components/Spinner";
import { UtcTime } from "@/components/UtcTime";
import { ApiError } from "@/lib/api-client";
import { isoToEpoch } from "@/lib/time";
import { useBuiltinSource, useCatalog, useDefinition, useDeleteDefinition, useLanguage, useSaveDefinition, useVersions } from "../api/strategies";
import type { UserStrategy, ValidSource } from "../api/types";
import type { EditorValidation } from "../editor/StrategyEditor";
import { sourceErrorsOf, describeError } from "../model/diagnostics";
import { NEW_STRATEGY_TEMPLATE, nameProblem, saveBody, savedMessage } from "../model/workspace";
import { CheckResult } from "./CheckStatus";
import { DerivedFacts } from "./DerivedFacts";
import type { StrategyPaths } from "./paths";

// CodeMirror is loaded with the editor only, never with the rest of the app.
const StrategyEditor = lazy(() => import("../editor/StrategyEditor"));

/** What the app's preview (a chart of the saved version's entries) gets. */
export interface PreviewSlotProps {
  strategyKey: string;
  baseTimeframe: string;
}

export interface StrategyWorkspaceProps {
  /** A saved strategy's id, or null for a new one. */
  id: number | null;
  /** A new strategy starting from this built-in's source. */
  copyFrom: string | null;
  paths: StrategyPaths;
  /** A new strategy was saved: the app opens its page (with `message` to show there). */
  onCreated: (strategy: UserStrategy, message: string) => void;
  /** What the page says first (the save that created it, from the app). */
  initialMessage?: string | null;
  onDeleted: () => void;
  renderPreview: (slot: PreviewSlotProps) => ReactNode;
}

/** /strategies/new and /strategies/<id>: what to load into the editor first. */
export function StrategyWorkspace(props: StrategyWorkspaceProps) {
  const definition = useDefinition(props.id);
  const builtin = useBuiltinSource(props.id === null ? props.copyFrom : null);
  const catalog = useCatalog();

  if (props.id !== null) {
    if (definition.error) {
      const missing = definition.error instanceof ApiError && definition.error.kind === "not-found";
      return (
        <p className="bt-error" data-testid="strategy-load-error">
          {missing ? "No such strategy of yours." : definition.error.message} <Link to={props.paths.list}>Back to the strategies</Link>
        </p>
      );
    }
    if (!definition.data) return <Spinner label="Loading the strategy…" />;
    return <Workspace {...props} saved={definition.data} initialName={definition.data.name} initialSource={definition.data.source} note={null} />;
  }
  if (props.copyFrom) {
    if (builtin.isPending) return <Spinner label={`Loading ${props.copyFrom}'s source…`} />;
    const entry = catalog.data?.find((s) => s.key === props.copyFrom);
    const name = `${entry?.name ?? props.copyFrom} (copy)`;
    if (builtin.data) return <Workspace {...props} saved={null} initialName={name} initialSource={builtin.data} note={`A copy of the built-in ${props.copyFrom}: change it, name it, save it.`} />;
    const why = builtin.error ? builtin.error.message : `The built-in ${props.copyFrom} is not written in the strategy language, so there is nothing to copy.`;
    return <Workspace {...props} saved={null} initialName="" initialSource={NEW_STRATEGY_TEMPLATE} note={`${why} Starting from the example instead.`} />;
  }
  return <Workspace {...props} saved={null} initialName="" initialSource={NEW_STRATEGY_TEMPLATE} note={null} />;
}

function Workspace(props: StrategyWorkspaceProps & { saved: UserStrategy | null; initialName: string; initialSource: string; note: string | null }) {
  const { saved, paths } = props;
  const language = useLanguage();
  const save = useSaveDefinition();
  const remove = useDeleteDefinition();
  const [name, setName] = useState(props.initialName);
  const [source, setSource] = useState(props.initialSource);
  /** Bumped to load another text into the editor (an older version). */
  const [generation, setGeneration] = useState(0);
  const [editorSource, setEditorSource] = useState(props.initialSource);
  const [validation, setValidation] = useState<EditorValidation>({ kind: "pending" });
  const [lastValid, setLastValid] = useState<ValidSource | null>(null);
  const [nameError, setNameError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(props.initialMessage ?? null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const labelId = useId();

  const onValidation = (next: EditorValidation) => {
    setValidation(next);
    if (next.kind === "valid") setLastValid(next.result);
  };

  const body = saveBody(saved, name, source);
  const dirty = body !== null && saved !== null;
  const unsaved = saved ? dirty : source !== props.initialSource || name !== props.initialName;

  // Closing or reloading the tab with unsaved text: the browser asks first.
  useEffect(() => {
    if (!unsaved) return;
    const ask = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", ask);
    return () => window.removeEventListener("beforeunload", ask);
  }, [unsaved]);
  const saveError = save.error instanceof ApiError ? save.error : null;
  const serverNameError = saveError?.fieldErrors.name;
  const serverSourceErrors = saveError?.kind === "bad-request" ? sourceErrorsOf(saveError.body) : [];
  const otherSaveError = save.error && !serverNameError && serverSourceErrors.length === 0 ? save.error.message : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problem = nameProblem(name);
    setNameError(problem);
    setMessage(null);
    save.reset();
    if (problem || !body) return;
    save.mutate(
      { id: saved?.id ?? null, body },
      {
        onSuccess: (after) => {
          const said = savedMessage(saved, after);
          setMessage(said);
          if (!saved) props.onCreated(after, said);
        },
      },
    );
  };

  const loadVersion = (text: string) => {
    setSource(text);
    setEditorSource(text);
    setGeneration((g) => g + 1);
  };

  const valid = validation.kind === "valid" ? validation.result : null;
  return (
    <div className="strategy-workspace" data-testid="strategy-workspace" data-strategy-id={saved?.id ?? ""} data-key={saved?.key ?? ""} data-version={saved?.version ?? ""}>
      <form className="bt-card strategy-form" onSubmit={submit} noValidate aria-label={saved ? `Edit ${saved.name}` : "New strategy"}>
        <div className="strategy-form__head">
          <Field label="Name" error={nameError ?? serverNameError}>
            <input data-testid="strategy-name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} placeholder="e.g. EMA cross, 4h trend" />
          </Field>
          <div className="strategy-form__save">
            <button className="button" type="submit" disabled={save.isPending || (saved !== null && !dirty)} data-testid="strategy-save">
              {save.isPending ? "Saving…" : saved ? (body?.source !== undefined ? `Save as version ${saved.version + 1}` : "Save") : "Save"}
            </button>
            {saved && (
              <span className="muted small" data-testid="strategy-version">
                Version {saved.version} · <code>{saved.key}</code>
                {dirty && <strong className="strategies-warn"> · unsaved changes</strong>}
              </span>
            )}
          </div>
        </div>
        {props.note && <p className="muted small" data-testid="strategy-note">{props.note}</p>}
        {message && (
          <p className="strategy-saved" role="status" data-testid="strategy-saved">
            {message}
          </p>
        )}
        {serverSourceErrors.length > 0 && (
          <ul className="bt-error" role="alert" data-testid="strategy-save-errors">
            {serverSourceErrors.map((error, i) => (
              <li key={i}>{describeError(error)}</li>
            ))}
          </ul>
        )}
        {otherSaveError && (
          <p className="bt-error" role="alert">
            {otherSaveError}
          </p>
        )}
        <div className="strategy-form__body">
          <div className="strategy-form__editor">
            <h2 id={labelId} className="strategy-label">
              Source
            </h2>
            <Suspense fallback={<Spinner label="Loading the editor…" />}>
              <StrategyEditor
                key={generation}
                initialSource={editorSource}
                language={language.data ?? null}
                onChange={setSource}
                onValidation={onValidation}
                labelledBy={labelId}
              />
            </Suspense>
            {language.error && <p className="muted small">The function list could not be read ({language.error.message}): completion offers fields and names only.</p>}
          </div>
          <aside className="strategy-form__side" aria-label="What the strategy declares">
            <DerivedFacts valid={valid} lastValid={lastValid} validation={validation.kind} />
          </aside>
        </div>
      </form>

      {saved ? (
        <section className="bt-card strategy-saved-version" aria-labelledby={`${labelId}-saved`}>
          <h2 id={`${labelId}-saved`}>Saved version {saved.version}</h2>
          {dirty && (
            <p className="muted small">
              The preview, Backtest it and Start a paper bot use the saved version {saved.version}; save to use your changes.
            </p>
          )}
          <div className="strategy-actions">
            <Link className="button" to={paths.backtest(saved.key)} data-testid="strategy-backtest">
              Backtest it
            </Link>
            <Link className="button button--ghost" to={paths.paperBot(saved.key)} data-testid="strategy-paper-bot">
              Start a paper bot
            </Link>
            {confirmDelete ? (
              <span className="strategies-confirm" role="group" aria-label="Delete this strategy?">
                Delete {saved.name} and every version?{" "}
                <button
                  type="button"
                  className="button button--ghost"
                  disabled={remove.isPending}
                  data-testid="strategy-delete-confirm"
                  onClick={() => remove.mutate(saved.id, { onSuccess: props.onDeleted, onSettled: () => setConfirmDelete(false) })}
                >
                  Delete
                </button>
                <button type="button" className="button button--ghost" onClick={() => setConfirmDelete(false)}>
                  Keep
                </button>
              </span>
            ) : (
              <button
                type="button"
                className="button button--ghost strategy-delete"
                data-testid="strategy-delete"
                onClick={() => {
                  remove.reset();
                  setConfirmDelete(true);
                }}
              >
                Delete
              </button>
            )}
          </div>
          {remove.error && (
            <p className="bt-error" role="alert" data-testid="strategy-delete-error">
              {remove.error.message}
            </p>
          )}
          <CheckResult check={saved.check} version={saved.version} />
          <Versions id={saved.id} current={saved.version} onLoad={loadVersion} />
        </section>
      ) : (
        <p className="muted" data-testid="strategy-unsaved">
          Save the strategy to preview its entries on a chart, backtest it or run it in a paper bot.
        </p>
      )}

      {saved && (
        <section className="bt-card strategy-preview" aria-labelledby={`${labelId}-preview`}>
          <h2 id={`${labelId}-preview`}>Preview: entries of version {saved.version}</h2>
          {props.renderPreview({ strategyKey: saved.key, baseTimeframe: saved.base_timeframe })}
        </section>
      )}
    </div>
  );
}

function Versions({ id, current, onLoad }: { id: number; current: number; onLoad: (source: string) => void }) {
  const versions = useVersions(id);
  if (versions.error) return <p className="bt-error">{versions.error.message}</p>;
  if (!versions.data) return null;
  const list = [...versions.data].sort((a, b) => b.version - a.version);
  return (
    <details className="strategy-versions" data-testid="strategy-versions">
      <summary>
        Versions <span className="count">{list.length}</span>
      </summary>
      <table className="bt-table">
        <thead>
          <tr>
            <th>Version</th>
            <th className="text-left">Key</th>
            <th>Saved</th>
            <th className="text-left">Source</th>
          </tr>
        </thead>
        <tbody>
          {list.map((version) => {
            const at = isoToEpoch(version.created_at);
            return (
              <tr key={version.version} data-testid="strategy-version-row">
                <td>
                  v{version.version}
                  {version.version === current && <span className="muted"> (current)</span>}
                </td>
                <td className="text-left">
                  <code>{version.key}</code>
                </td>
                <td>{at !== null ? <UtcTime epochSeconds={at} /> : "—"}</td>
                <td className="text-left">
                  {version.version !== current && (
                    <button type="button" onClick={() => onLoad(version.source)} title="Puts this version's text in the editor; saving makes it the newest version.">
                      Load into the editor
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </details>
  );
}
