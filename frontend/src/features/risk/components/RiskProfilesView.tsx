import { useEffect, useRef, useState } from "react";
import { UtcTime } from "@/components/UtcTime";
import { ApiError } from "@/lib/api-client";
import { isoToEpoch } from "@/lib/time";
import { useDeleteRiskProfile, useProfileFields, useRiskProfiles, useSaveRiskProfile } from "../api/risk-profiles";
import type { ProfileField, RiskProfile } from "../api/types";
import { FIELD_LABELS, formatRiskValue } from "../model/profile-form";
import { ProfileForm } from "./ProfileForm";

/** The Risk page: your profiles (the default marked), create, edit, make default, delete. */
export function RiskProfilesView() {
  const profiles = useRiskProfiles();
  const fields = useProfileFields();
  const save = useSaveRiskProfile();
  const remove = useDeleteRiskProfile();
  const [editing, setEditing] = useState<RiskProfile | "new" | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);

  const loadError = profiles.error ?? fields.error;
  if (loadError) return <p className="bt-error" data-testid="risk-load-error">{loadError.message}</p>;
  const list = profiles.data;
  const fieldList = fields.data;
  if (!list || !fieldList) return <p className="muted">Loading your risk profiles…</p>;

  const badRequest = save.error instanceof ApiError && save.error.kind === "bad-request";
  const serverErrors = badRequest ? (save.error as ApiError).fieldErrors : {};
  const open = (next: RiskProfile | "new" | null) => {
    save.reset();
    setEditing(next);
  };

  return (
    <section className="bt-card risk-page" data-testid="risk-profiles">
      <h2>Risk profiles</h2>
      <p className="muted small">
        A profile sizes and allows every entry of a backtest or bot that uses it: size = equity × risk per trade / stop distance, capped
        by the max position; no entry past the daily loss limit, during a cooldown after a stop-loss, or after the drawdown kill switch.
        The default profile is the one a bot gets when none is chosen.
      </p>
      {list.length === 0 ? (
        <p className="empty" data-testid="risk-empty">
          You have no risk profile yet. Create one with <strong>New profile</strong> below (the defaults are a sensible start); your
          first profile becomes the default, and the backtest form can then use it.
        </p>
      ) : (
        <div className="bt-table-wrap">
          <table className="bt-table" data-testid="risk-table">
            <thead>
              <tr>
                <th>Name</th>
                {fieldList.map((field) => (
                  <th key={field.name} title={field.help_text}>
                    {FIELD_LABELS[field.name]}
                  </th>
                ))}
                <th>Changed</th>
                <th className="text-left">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.map((profile) => (
                <ProfileRow
                  key={profile.id}
                  profile={profile}
                  fields={fieldList}
                  confirming={confirming === profile.id}
                  busy={save.isPending || remove.isPending}
                  onEdit={() => open(profile)}
                  onMakeDefault={() => save.mutate({ id: profile.id, body: { is_default: true } })}
                  onAskDelete={() => {
                    remove.reset();
                    setConfirming(profile.id);
                  }}
                  onCancelDelete={() => setConfirming(null)}
                  onDelete={() =>
                    remove.mutate(profile.id, {
                      onSettled: () => setConfirming(null),
                      onSuccess: () => editing !== null && editing !== "new" && editing.id === profile.id && open(null),
                    })
                  }
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {/* A 409 names the running bot that holds the profile. */}
      {remove.error && (
        <p className="bt-error" role="alert" data-testid="risk-delete-error">
          {remove.error.message}
        </p>
      )}
      {save.error && !badRequest && editing === null && (
        <p className="bt-error" role="alert">
          {save.error.message}
        </p>
      )}
      {editing === null ? (
        <button type="button" className="button" data-testid="risk-new" onClick={() => open("new")}>
          New profile
        </button>
      ) : (
        <ProfileForm
          key={editing === "new" ? "new" : editing.id}
          fields={fieldList}
          {...(editing === "new" ? {} : { profile: editing })}
          serverErrors={serverErrors}
          {...(save.error && !badRequest ? { otherError: save.error.message } : {})}
          busy={save.isPending}
          onCancel={() => open(null)}
          onSubmit={(body) =>
            save.mutate({ ...(editing === "new" ? {} : { id: editing.id }), body }, { onSuccess: () => open(null) })
          }
        />
      )}
    </section>
  );
}

function ProfileRow(props: {
  profile: RiskProfile;
  fields: ProfileField[];
  confirming: boolean;
  busy: boolean;
  onEdit: () => void;
  onMakeDefault: () => void;
  onAskDelete: () => void;
  onCancelDelete: () => void;
  onDelete: () => void;
}) {
  const { profile } = props;
  const deleteButton = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  // Back from the question (Keep, Escape): the keyboard focus returns to the Delete button.
  useEffect(() => {
    if (props.confirming) asked.current = true;
    // Only when the focus was lost with the question, never taken from elsewhere.
    else if (asked.current && (document.activeElement === null || document.activeElement === document.body)) deleteButton.current?.focus();
  }, [props.confirming]);
  const changed = isoToEpoch(profile.updated_at);
  return (
    <tr data-testid="risk-row" data-profile-id={profile.id} data-default={profile.is_default}>
      <td>
        {profile.name}{" "}
        {profile.is_default && (
          <span className="bt-pill" data-testid="risk-default-badge">
            default
          </span>
        )}
      </td>
      {props.fields.map((field) => (
        <td key={field.name} data-field={field.name}>
          {formatRiskValue(field.name, profile[field.name])}
        </td>
      ))}
      <td className="small">{changed !== null ? <UtcTime epochSeconds={changed} /> : "—"}</td>
      <td className="text-left actions">
        {props.confirming ? (
          <span role="group" aria-label={`Delete ${profile.name}?`} onKeyDown={(e) => e.key === "Escape" && props.onCancelDelete()}>
            Delete “{profile.name}”?{" "}
            <button type="button" className="danger" data-testid="risk-delete-confirm" disabled={props.busy} onClick={props.onDelete} autoFocus>
              Delete
            </button>{" "}
            <button type="button" data-testid="risk-delete-cancel" onClick={props.onCancelDelete}>
              Keep
            </button>
          </span>
        ) : (
          <>
            <button type="button" data-testid="risk-edit" onClick={props.onEdit}>
              Edit
            </button>{" "}
            {!profile.is_default && (
              <>
                <button type="button" data-testid="risk-make-default" disabled={props.busy} onClick={props.onMakeDefault}>
                  Make default
                </button>{" "}
              </>
            )}
            <button ref={deleteButton} type="button" data-testid="risk-delete" onClick={props.onAskDelete}>
              Delete
            </button>
          </>
        )}
      </td>
    </tr>
  );
}
