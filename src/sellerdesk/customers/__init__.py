"""Buyers: one identity across the seller's accounts and channels."""
