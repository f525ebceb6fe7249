"""Figures and the dashboard."""
