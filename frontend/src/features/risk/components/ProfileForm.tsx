import { useState, type FormEvent } from "react";
import type { ProfileField, RiskProfile, RiskProfileBody } from "../api/types";
import { FIELD_LABELS, buildProfileBody, describeBounds, fieldUnit, initialProfileForm, type ProfileFormErrors } from "../model/profile-form";

/** Create (no profile) or edit a risk profile; bounds, defaults and help come from the API. */
export function ProfileForm(props: {
  fields: ProfileField[];
  profile?: RiskProfile;
  /** Errors the server named (400), field -> message. */
  serverErrors?: ProfileFormErrors;
  /** Any other failure of the save, in words. */
  otherError?: string;
  busy?: boolean;
  onSubmit: (body: RiskProfileBody) => void;
  onCancel?: () => void;
}) {
  const { fields, profile } = props;
  const [form, setForm] = useState(() => initialProfileForm(fields, profile));
  const [localErrors, setLocalErrors] = useState<ProfileFormErrors>({});
  const errors = { ...(props.serverErrors ?? {}), ...localErrors };
  const generalError = errors.detail ?? errors.non_field_errors;

  /** An error stays under its field until the field is changed. */
  const clearError = (name: string) => setLocalErrors(({ [name]: _gone, ...rest }) => rest);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = buildProfileBody(form, fields, profile);
    setLocalErrors(result.errors ?? {});
    if (result.body && Object.keys(result.body).length === 0) props.onCancel?.();
    else if (result.body) props.onSubmit(result.body);
  };

  return (
    <form className="bt-card bt-form risk-form" onSubmit={submit} data-testid="risk-profile-form" noValidate>
      <h3>{profile ? `Edit “${profile.name}”` : "New risk profile"}</h3>
      <label className="field bt-field">
        Name
        <input name="name" data-testid="risk-name" value={form.name} maxLength={80} autoFocus onChange={(e) => {
            setForm((f) => ({ ...f, name: e.target.value }));
            clearError("name");
          }} />
        {errors.name && <FieldError field="name" text={errors.name} />}
      </label>
      <div className="bt-grid">
        {fields.map((field) => {
          const unit = fieldUnit(field.name);
          return (
            <label className="field bt-field" key={field.name}>
              {FIELD_LABELS[field.name]}
              <span className="input-unit">
                <input
                  name={field.name}
                  data-testid={`risk-${field.name}`}
                  className="num"
                  type="text"
                  inputMode="decimal"
                  placeholder={field.nullable ? "off" : ""}
                  aria-invalid={errors[field.name] ? true : undefined}
                  value={form.values[field.name] ?? ""}
                  onChange={(e) => {
                    setForm((f) => ({ ...f, values: { ...f.values, [field.name]: e.target.value } }));
                    clearError(field.name);
                  }}
                />
                {unit && <span className="unit">{unit}</span>}
              </span>
              <span className="muted small">
                {field.help_text} ({describeBounds(field)})
              </span>
              {errors[field.name] && <FieldError field={field.name} text={errors[field.name]!} />}
            </label>
          );
        })}
      </div>
      <label className="bt-check">
        <input
          type="checkbox"
          data-testid="risk-default"
          checked={form.isDefault}
          disabled={profile?.is_default}
          onChange={(e) => setForm((f) => ({ ...f, isDefault: e.target.checked }))}
        />
        Default profile{profile?.is_default ? " (make another one the default to change this)" : ""}
      </label>
      {errors.is_default && <FieldError field="is_default" text={errors.is_default} />}
      {generalError && <p className="bt-error" role="alert">{generalError}</p>}
      {props.otherError && <p className="bt-error" role="alert">{props.otherError}</p>}
      <div className="bt-actions">
        <button type="submit" className="button" disabled={props.busy} data-testid="risk-save">
          {props.busy ? "Saving…" : profile ? "Save" : "Create profile"}
        </button>{" "}
        {props.onCancel && (
          <button type="button" onClick={props.onCancel} data-testid="risk-cancel">
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

function FieldError({ field, text }: { field: string; text: string }) {
  return (
    <span className="bt-error" data-testid="field-error" data-field={field}>
      {text}
    </span>
  );
}
