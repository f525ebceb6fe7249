"""The local read model of marketplace orders and returns, kept current by the sync."""
