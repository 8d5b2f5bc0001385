import { Link } from "react-router";
import { useRiskProfiles } from "../api/risk-profiles";
import type { RiskProfile } from "../api/types";

export interface ProfilePickerProps {
  value: number | null;
  onChange: (id: number | null) => void;
  /** The form's error for `risk_profile` (a 400 naming it). */
  error?: string | undefined;
}

/** The backtest form's risk profile choice: none (the run's own size, stop and target) or one of yours. */
export function ProfilePicker(props: ProfilePickerProps) {
  const profiles = useRiskProfiles();
  return <ProfileSelect profiles={profiles.data ?? []} loading={profiles.isPending} {...props} />;
}

export function ProfileSelect(props: ProfilePickerProps & { profiles: RiskProfile[]; loading?: boolean }) {
  const { profiles, value } = props;
  const chosen = profiles.find((profile) => profile.id === value);
  return (
    <label className="field bt-field">
      Risk profile
      <select
        data-testid="risk-profile-picker"
        value={value === null ? "" : String(value)}
        onChange={(e) => props.onChange(e.target.value === "" ? null : Number(e.target.value))}
      >
        <option value="">None: size, stop-loss and take-profit below</option>
        {profiles.map((profile) => (
          <option key={profile.id} value={profile.id}>
            {profile.name}
            {profile.is_default ? " (default)" : ""}
          </option>
        ))}
      </select>
      {chosen && (
        <span className="muted small">
          Sizes each entry to risk {Number((chosen.risk_per_trade * 100).toPrecision(6))} % of equity; its stop-loss and take-profit apply.
        </span>
      )}
      {!props.loading && profiles.length === 0 && (
        <span className="muted small" data-testid="risk-picker-empty">
          No risk profile yet: <Link to="/risk">create one on the Risk page</Link>.
        </span>
      )}
      {props.error && (
        <span className="bt-error" data-testid="field-error">
          {props.error}
        </span>
      )}
    </label>
  );
}
