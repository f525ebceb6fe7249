"""Marketplace connectors: a neutral protocol (``base``) and one package per marketplace."""
