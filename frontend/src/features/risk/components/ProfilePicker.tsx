import type { RiskProfile } from "../api/types";

/** The backtest form's risk profile choice: none (the run's own size, stop and target) or one of yours. */
export function ProfilePicker(props: { profiles: RiskProfile[]; value: number | null; onChange: (id: number | null) => void }) {
  return (
    <label className="bt-field">
      <span>Risk profile</span>
      <select
        data-testid="risk-profile-picker"
        value={props.value === null ? "" : String(props.value)}
        onChange={(e) => props.onChange(e.target.value === "" ? null : Number(e.target.value))}
      >
        <option value="">None (size, stop-loss and take-profit below)</option>
        {props.profiles.map((profile) => (
          <option key={profile.id} value={profile.id}>
            {profile.name}
            {profile.is_default ? " (default)" : ""}
          </option>
        ))}
      </select>
      {props.value !== null && <span className="muted small">The profile sets the size, the stop-loss and the take-profit.</span>}
    </label>
  );
}
