"""Alerts to the users' own channels (apprise: Telegram, Discord, Slack, e-mail, webhooks...):
docs/alerts.md."""
