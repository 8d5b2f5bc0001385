import { useState } from "react";
import { ApiError } from "@/lib/api-client";
import { useDeleteRiskProfile, useProfileFields, useRiskProfiles, useSaveRiskProfile, type RiskRequester } from "../api/risk-profiles";
import type { RiskProfile } from "../api/types";
import { FIELD_LABELS, formatRiskValue } from "../model/profile-form";
import { ProfileForm } from "./ProfileForm";

/** The Risk page: your profiles (the default marked), create, edit, make default, delete. */
export function RiskProfilesView({ request }: { request: RiskRequester }) {
  const profiles = useRiskProfiles(request);
  const fields = useProfileFields(request);
  const save = useSaveRiskProfile(request);
  const remove = useDeleteRiskProfile(request);
  const [editing, setEditing] = useState<RiskProfile | "new" | null>(null);

  const loadError = profiles.error ?? fields.error;
  if (loadError) return <p className="bt-error">{loadError.message}</p>;
  const list = profiles.data;
  const fieldList = fields.data;
  if (!list || !fieldList) return <p className="muted">Loading risk profiles…</p>;

  const serverErrors = save.error instanceof ApiError ? save.error.fieldErrors : {};
  const closeForm = () => {
    setEditing(null);
    save.reset();
  };

  return (
    <section className="bt-card" data-testid="risk-profiles">
      <h2>Risk profiles</h2>
      <p className="muted small">
        Every entry of a backtest or a bot using a profile is sized and allowed by it: size = equity × risk per trade / stop distance,
        capped by the max position; no entry past the daily loss limit, during a cooldown or after the drawdown kill switch.
      </p>
      {list.length === 0 && <p className="muted">No profile yet: your first one becomes the default.</p>}
      <table className="bt-table">
        <thead>
          <tr>
            <th>Name</th>
            {fieldList.map((field) => (
              <th key={field.name} title={field.help_text}>
                {FIELD_LABELS[field.name]}
              </th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((profile) => (
            <tr key={profile.id} data-testid={`risk-row-${profile.id}`}>
              <td>
                {profile.name} {profile.is_default && <strong>(default)</strong>}
              </td>
              {fieldList.map((field) => (
                <td key={field.name}>{formatRiskValue(field.name, profile[field.name])}</td>
              ))}
              <td>
                <button type="button" onClick={() => setEditing(profile)}>
                  Edit
                </button>
                {!profile.is_default && (
                  <button type="button" onClick={() => save.mutate({ id: profile.id, body: { is_default: true } })}>
                    Make default
                  </button>
                )}
                <button
                  type="button"
                  onClick={() => {
                    if (window.confirm(`Delete the risk profile "${profile.name}"?`)) remove.mutate(profile.id);
                  }}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {/* A 409 says which running bot holds the profile. */}
      {remove.error && <p className="bt-error">{remove.error.message}</p>}
      {editing === null ? (
        <button type="button" data-testid="risk-new" onClick={() => setEditing("new")}>
          New profile
        </button>
      ) : (
        <ProfileForm
          key={editing === "new" ? "new" : editing.id}
          fields={fieldList}
          {...(editing === "new" ? {} : { profile: editing })}
          serverErrors={serverErrors}
          busy={save.isPending}
          onCancel={closeForm}
          onSubmit={(body) => save.mutate({ ...(editing === "new" ? {} : { id: editing.id }), body }, { onSuccess: closeForm })}
        />
      )}
      {save.error && !(save.error instanceof ApiError && save.error.kind === "bad-request") && <p className="bt-error">{save.error.message}</p>}
    </section>
  );
}
