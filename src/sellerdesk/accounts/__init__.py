"""Seller accounts: one marketplace account of the seller each, with its credentials."""
