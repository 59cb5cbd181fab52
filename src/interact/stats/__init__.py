"""Statistics (STA-1..3): per-conversation facts kept current by the event log, and the dashboard
that reads them."""
