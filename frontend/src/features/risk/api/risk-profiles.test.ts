import { describe, expect, it } from "vitest";
import { riskApi, type RiskRequestOptions } from "./risk-profiles";

function recorder() {
  const calls: Array<[string, RiskRequestOptions | undefined]> = [];
  const request = async <T,>(path: string, options?: RiskRequestOptions): Promise<T> => {
    calls.push([path, options]);
    return undefined as T;
  };
  return { calls, api: riskApi(request) };
}

describe("risk api", () => {
  it("speaks to /api/risk/ with the right methods and bodies", async () => {
    const { calls, api } = recorder();
    await api.list();
    await api.fields();
    await api.create({ name: "Tight", stop_loss: 0.01 });
    await api.update(3, { is_default: true });
    await api.remove(3);
    expect(calls.map(([path, options]) => [path, options?.method ?? "GET", options?.body])).toEqual([
      ["/risk/profiles/", "GET", undefined],
      ["/risk/profile-fields/", "GET", undefined],
      ["/risk/profiles/", "POST", { name: "Tight", stop_loss: 0.01 }],
      ["/risk/profiles/3/", "PATCH", { is_default: true }],
      ["/risk/profiles/3/", "DELETE", undefined],
    ]);
  });
});
