"""Compliance guard: every outgoing message is checked against the marketplace's communication
rules before it can leave. `rules.check` is pure (no Django) so every outbound path, the CLI
and the benchmark share one checker."""
