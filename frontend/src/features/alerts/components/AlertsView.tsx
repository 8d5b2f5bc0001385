import { useState, type FormEvent } from "react";
import { Field } from "@/components/Field";
import { UtcTime } from "@/components/UtcTime";
import { ApiError } from "@/lib/api-client";
import { isoToEpoch } from "@/lib/time";
import { useChannels, useCreateChannel, useDeleteChannel, useRecentAlerts, useSendTest, useTestAlert, useUpdateChannel } from "../api/alerts";
import type { Channel } from "../api/types";
import { buildChannelBody, EVENTS, initialChannelForm, toggledEvent, type ChannelFormErrors, type ChannelFormState } from "../model/channel-form";

const APPRISE_WIKI = "https://github.com/caronc/apprise/wiki";
const EVENT_LABEL = Object.fromEntries(EVENTS.map((e) => [e.event, e.label])) as Record<string, string>;

/** The Alerts page: your channels (add, enable, test, delete) and your recent alerts. */
export function AlertsView() {
  const channels = useChannels();
  const [adding, setAdding] = useState(false);

  if (channels.error) return <p className="bt-error" data-testid="alerts-load-error">{channels.error.message}</p>;
  if (!channels.data) return <p className="muted">Loading your alert channels…</p>;
  const list = channels.data;

  return (
    <>
      <section className="bt-card" data-testid="alert-channels">
        <h2>Alert channels</h2>
        <p className="muted small">
          Your bots' fills, errors, kill switch, stalls and exchange refusals, sent to Telegram, Discord, Slack, e-mail, a webhook… through an{" "}
          <a href={APPRISE_WIKI} target="_blank" rel="noreferrer">
            apprise URL
          </a>
          . URLs hold the service's token: they are stored encrypted and never shown again. One alert per bot and event per 15 minutes, then a
          summary.
        </p>
        {list.length === 0 ? (
          <p className="empty" data-testid="alert-channels-empty">
            No channel yet. Add one with <strong>Add channel</strong>, then press <strong>Send test</strong>.
          </p>
        ) : (
          <div className="acct-list">
            {list.map((channel) => (
              <ChannelRow key={channel.id} channel={channel} />
            ))}
          </div>
        )}
        {adding ? (
          <ChannelForm onDone={() => setAdding(false)} />
        ) : (
          <button type="button" className="button" data-testid="alert-channel-new" onClick={() => setAdding(true)}>
            Add channel
          </button>
        )}
      </section>
      <RecentAlerts />
    </>
  );
}

function ChannelForm(props: { onDone: () => void }) {
  const [form, setForm] = useState<ChannelFormState>(initialChannelForm);
  const [localErrors, setLocalErrors] = useState<ChannelFormErrors>({});
  const create = useCreateChannel();
  const badRequest = create.error instanceof ApiError && create.error.kind === "bad-request";
  const errors = { ...(badRequest ? (create.error as ApiError).fieldErrors : {}), ...localErrors };
  const otherError = create.error && !badRequest ? create.error.message : null;

  const set = <K extends keyof ChannelFormState>(key: K, value: ChannelFormState[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setLocalErrors(({ [key]: _gone, ...rest }) => rest); // an error stays until its field changes
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.reset();
    const result = buildChannelBody(form);
    setLocalErrors(result.errors ?? {});
    if (!result.body) return;
    create.mutate(result.body, { onSuccess: () => props.onDone() }); // the URL leaves the page's memory with the form
  };

  return (
    <form className="bt-card bt-form acct-form" onSubmit={submit} data-testid="alert-channel-form" noValidate autoComplete="off">
      <h3>Add a channel</h3>
      <div className="bt-grid">
        <Field label="Name" error={errors.name}>
          <input name="name" data-testid="alert-channel-name" value={form.name} maxLength={100} autoFocus onChange={(e) => set("name", e.target.value)} />
        </Field>
        <Field label="apprise URL (e.g. tgram://bottoken/ChatID, discord://id/token, mailtos://user:pass@host)" error={errors.url}>
          <input
            name="url"
            data-testid="alert-channel-url"
            type="password"
            autoComplete="new-password"
            spellCheck={false}
            value={form.url}
            onChange={(e) => set("url", e.target.value)}
          />
        </Field>
      </div>
      <fieldset className="alert-events" data-testid="alert-channel-events">
        <legend>Send</legend>
        {EVENTS.map(({ event, label }) => (
          <label key={event} className="small">
            <input type="checkbox" data-testid={`alert-event-${event}`} checked={form.events.includes(event)} onChange={() => set("events", toggledEvent(form.events, event))} />{" "}
            {label}
          </label>
        ))}
        {errors.events && <span className="bt-error">{errors.events}</span>}
      </fieldset>
      {(errors.detail ?? errors.non_field_errors) && (
        <p className="bt-error" role="alert">
          {errors.detail ?? errors.non_field_errors}
        </p>
      )}
      {otherError && (
        <p className="bt-error" role="alert" data-testid="alert-channel-form-error">
          {otherError}
        </p>
      )}
      <div className="acct-actions">
        <button type="submit" className="button" data-testid="alert-channel-save" disabled={create.isPending}>
          {create.isPending ? "Adding…" : "Add channel"}
        </button>{" "}
        <button type="button" data-testid="alert-channel-cancel" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function ChannelRow({ channel }: { channel: Channel }) {
  const update = useUpdateChannel();
  const remove = useDeleteChannel();
  const sendTest = useSendTest();
  const test = useTestAlert(sendTest.data?.alert_id ?? null);
  const [confirming, setConfirming] = useState(false);
  const lastSent = isoToEpoch(channel.last_sent_at ?? null);
  const testStatus = test.data?.status ?? (sendTest.data ? "queued" : null);
  const error = update.error ?? remove.error ?? sendTest.error ?? test.error;

  return (
    <article className="bt-card acct" data-testid="alert-channel-row" data-channel-id={channel.id} data-name={channel.name}>
      <header className="acct-head">
        <h3>{channel.name}</h3>
        <span className="muted small">
          <code data-testid="alert-channel-hint">{channel.url_hint}</code> ·{" "}
          {channel.events.length ? channel.events.map((e) => EVENT_LABEL[e] ?? e).join(", ") : "no events (tests only)"}
        </span>
      </header>
      <p className="small">
        <label>
          <input
            type="checkbox"
            data-testid="alert-channel-enabled"
            checked={channel.enabled ?? true}
            disabled={update.isPending}
            onChange={(e) => update.mutate({ id: channel.id, body: { enabled: e.target.checked } })}
          />{" "}
          Enabled
        </label>
        {" · "}
        {lastSent !== null ? (
          <span>
            last sent <UtcTime epochSeconds={lastSent} />
          </span>
        ) : (
          <span className="muted">nothing sent yet</span>
        )}
      </p>
      {channel.last_error && (
        <p className="small bt-error" data-testid="alert-channel-last-error">
          Last error: {channel.last_error}
        </p>
      )}
      {testStatus && (
        <p className={`small ${testStatus === "failed" ? "bt-error" : ""}`} data-testid="alert-test-result" data-status={testStatus}>
          {testStatus === "sent"
            ? "✓ Test alert sent: check that it arrived."
            : testStatus === "failed"
              ? `✗ Test alert failed: ${test.data?.last_error || "the service did not take it"}`
              : "Sending the test alert…"}
        </p>
      )}
      {error && (
        <p className="bt-error" role="alert">
          {error.message}
        </p>
      )}
      <div className="acct-actions">
        {confirming ? (
          <span role="group" aria-label={`Delete ${channel.name}?`} onKeyDown={(e) => e.key === "Escape" && setConfirming(false)}>
            Delete “{channel.name}” and its stored URL?{" "}
            <button type="button" className="danger" data-testid="alert-channel-delete-confirm" autoFocus disabled={remove.isPending} onClick={() => remove.mutate(channel.id)}>
              {remove.isPending ? "Deleting…" : "Delete"}
            </button>{" "}
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </span>
        ) : (
          <>
            <button type="button" data-testid="alert-channel-test" disabled={sendTest.isPending} onClick={() => sendTest.mutate(channel.id)}>
              {sendTest.isPending ? "Sending…" : "Send test"}
            </button>{" "}
            <button type="button" data-testid="alert-channel-delete" onClick={() => setConfirming(true)}>
              Delete
            </button>
          </>
        )}
      </div>
    </article>
  );
}

function RecentAlerts() {
  const alerts = useRecentAlerts();
  const rows = alerts.data?.results ?? [];
  return (
    <section className="bt-card" data-testid="alerts-recent">
      <h2>Recent alerts</h2>
      {alerts.error && <p className="bt-error">{alerts.error.message}</p>}
      {alerts.data && rows.length === 0 && <p className="empty">No alert yet.</p>}
      {rows.length > 0 && (
        <table className="bt-table small">
          <thead>
            <tr>
              <th>When (UTC)</th>
              <th>Channel</th>
              <th>Event</th>
              <th>Alert</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((alert) => {
              const at = isoToEpoch(alert.created_at);
              return (
                <tr key={alert.id} data-testid="alert-row" data-status={alert.status}>
                  <td>{at !== null && <UtcTime epochSeconds={at} />}</td>
                  <td>{alert.channel_name}</td>
                  <td>{EVENT_LABEL[alert.event] ?? alert.event}</td>
                  <td>
                    <strong>{alert.title}</strong> {alert.body}
                    {alert.repeats ? <span className="muted"> (+{alert.repeats} like it)</span> : null}
                  </td>
                  <td title={alert.last_error || undefined}>
                    {alert.status}
                    {alert.attempts && alert.attempts > 1 ? ` (${alert.attempts} attempts)` : ""}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
