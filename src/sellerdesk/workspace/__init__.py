"""The agent's pages: ticket list, ticket page and reply (the full workspace comes later)."""
