export function ErrorText({ error }: { error: unknown }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <p className="bt-error" data-testid="error-message">
      {message}
    </p>
  );
}
