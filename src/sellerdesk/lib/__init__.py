"""Shared building blocks with no models: settings parsing, crypto, time."""
