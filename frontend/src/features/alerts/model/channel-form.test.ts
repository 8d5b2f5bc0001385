import { describe, expect, it } from "vitest";
import { buildChannelBody, initialChannelForm, toggledEvent } from "./channel-form";

describe("the add-channel form", () => {
  it("sends the trimmed name, the URL and the events in the API's order", () => {
    const form = { ...initialChannelForm(), name: "  Phone ", url: " tgram://123456:abc/42 ", events: toggledEvent(["error"], "fill") };
    expect(buildChannelBody(form)).toEqual({
      body: { name: "Phone", url: "tgram://123456:abc/42", events: ["fill", "error"], enabled: true },
      errors: null,
    });
  });

  it("names the fields that are missing or not an apprise URL", () => {
    expect(buildChannelBody({ name: "", url: "", events: [] }).errors).toEqual({
      name: "required",
      url: "required: the service's apprise URL, e.g. tgram://bottoken/ChatID",
    });
    expect(buildChannelBody({ name: "x", url: "my token", events: [] }).errors?.url).toMatch(/starts with its service/);
  });

  it("toggles an event off and on", () => {
    expect(toggledEvent(["fill", "error"], "fill")).toEqual(["error"]);
    expect(toggledEvent(["error"], "kill_switch")).toEqual(["error", "kill_switch"]);
  });
});
