"""What every WebSocket of the platform shares (docs/realtime.md): close codes, the parsing of
client messages, heartbeats and the per-user socket cap. No models: not an installed app."""
