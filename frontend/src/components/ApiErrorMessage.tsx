import { ApiError } from "@/lib/api-client";
import { Banner, CommandLine } from "./Banner";

// The backend's 404 details end with the command that fixes them ("... Fetch them: python manage.py
// fetch_ohlcv ..."); show that part as a command to copy.
const COMMAND_START = "python manage.py";

export function splitCommand(detail: string): { text: string; command: string | null } {
  const at = detail.indexOf(COMMAND_START);
  if (at < 0) return { text: detail, command: null };
  return { text: detail.slice(0, at).trim(), command: detail.slice(at).trim().replace(/\.$/, "") };
}

/** An API failure explained in terms of what the user can do next. */
export function ApiErrorMessage({ error, context }: { error: unknown; context: { symbol?: string; timeframe?: string } }) {
  const apiError = error instanceof ApiError ? error : null;
  const kind = apiError?.kind ?? "server";
  return (
    <div data-testid="error-message" data-kind={kind} data-field={apiError?.field ?? ""}>
      {renderByKind(apiError, error, context)}
    </div>
  );
}

function renderByKind(apiError: ApiError | null, error: unknown, context: { symbol?: string; timeframe?: string }) {
  if (apiError?.kind === "unreachable") {
    return (
      <Banner tone="error" title="Cannot reach the API">
        <p>
          The page got no answer from <code>/api</code>. Start the platform (<code>make run</code>) — in development, the
          Django server that the Vite proxy points to (<code>API_PROXY_TARGET</code>, default http://localhost:8000) — then
          press <b>Reload data</b>.
        </p>
      </Banner>
    );
  }
  if (apiError?.kind === "not-found") {
    const { text, command } = splitCommand(apiError.message);
    const title =
      apiError.field === "symbol"
        ? `Unknown symbol ${context.symbol ?? ""}`.trim()
        : `No data for ${[context.symbol, context.timeframe].filter(Boolean).join(" ")}`;
    return (
      <Banner tone="error" title={title}>
        <p>{text}</p>
        {command && <CommandLine>{command}</CommandLine>}
        <p className="muted">
          {apiError.field === "symbol" ? "Or pick a stored symbol from the list." : "Or pick a timeframe that has data."}
        </p>
      </Banner>
    );
  }
  if (apiError?.kind === "bad-request") {
    return (
      <Banner tone="error" title="The API rejected these settings">
        <ul>
          {Object.entries(apiError.fieldErrors).map(([field, message]) => (
            <li key={field}>
              <b>{field}</b>: {message}
            </li>
          ))}
        </ul>
        <p className="muted">Fix the field and press Reload data.</p>
      </Banner>
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return (
    <Banner tone="error" title={apiError?.status ? `The server failed (HTTP ${apiError.status})` : "The API failed"}>
      <p>{message}</p>
      <p className="muted">Check the server log, then press Reload data.</p>
    </Banner>
  );
}
