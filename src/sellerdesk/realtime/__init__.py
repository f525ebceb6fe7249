"""Websocket consumers: what browsers hear without reloading (the notification bell first)."""
