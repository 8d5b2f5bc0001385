import { useState, type FormEvent } from "react";
import type { ProfileField, RiskProfile, RiskProfileBody } from "../api/types";
import { FIELD_LABELS, buildProfileBody, describeBounds, initialProfileForm, PERCENT_FIELDS, type ProfileFormErrors } from "../model/profile-form";

/** Create (no profile) or edit a risk profile; bounds and help come from the API. */
export function ProfileForm(props: {
  fields: ProfileField[];
  profile?: RiskProfile;
  /** Errors the server named (400), field -> message. */
  serverErrors?: ProfileFormErrors;
  busy?: boolean;
  onSubmit: (body: RiskProfileBody) => void;
  onCancel?: () => void;
}) {
  const { fields, profile } = props;
  const [form, setForm] = useState(() => initialProfileForm(fields, profile));
  const [localErrors, setLocalErrors] = useState<ProfileFormErrors>({});
  const errors = { ...(props.serverErrors ?? {}), ...localErrors };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = buildProfileBody(form, fields, profile);
    setLocalErrors(result.errors ?? {});
    if (result.body) props.onSubmit(result.body);
  };

  return (
    <form className="bt-card bt-form" onSubmit={submit} data-testid="risk-profile-form" noValidate>
      <label className="bt-field">
        <span>Name</span>
        <input data-testid="risk-name" value={form.name} maxLength={80} onChange={(e) => setForm((f) => ({ ...f, name: e.target.value }))} />
        {errors.name && <span className="bt-error">{errors.name}</span>}
      </label>
      <div className="bt-grid">
        {fields.map((field) => (
          <label className="bt-field" key={field.name} title={field.help_text}>
            <span>
              {FIELD_LABELS[field.name]}
              {PERCENT_FIELDS.has(field.name) ? " %" : field.name === "leverage" ? " (x)" : ""}
            </span>
            <input
              data-testid={`risk-${field.name}`}
              type="number"
              inputMode="decimal"
              step={field.type === "integer" ? 1 : "any"}
              placeholder={field.nullable ? "off" : ""}
              value={form.values[field.name] ?? ""}
              onChange={(e) => setForm((f) => ({ ...f, values: { ...f.values, [field.name]: e.target.value } }))}
            />
            <span className="muted small">
              {field.help_text} ({describeBounds(field)})
            </span>
            {errors[field.name] && <span className="bt-error">{errors[field.name]}</span>}
          </label>
        ))}
      </div>
      <label className="bt-check">
        <input
          type="checkbox"
          data-testid="risk-default"
          checked={form.isDefault}
          disabled={profile?.is_default}
          onChange={(e) => setForm((f) => ({ ...f, isDefault: e.target.checked }))}
        />
        Default profile {profile?.is_default ? "(make another one the default to change this)" : ""}
      </label>
      {errors.is_default && <p className="bt-error">{errors.is_default}</p>}
      <div className="bt-actions">
        <button type="submit" disabled={props.busy} data-testid="risk-save">
          {profile ? "Save" : "Create profile"}
        </button>
        {props.onCancel && (
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
