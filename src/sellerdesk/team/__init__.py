"""The team: users, their roles and which seller accounts each may see."""
