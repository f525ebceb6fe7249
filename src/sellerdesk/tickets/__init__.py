"""Tickets: conversations with buyers and marketplaces, their messages and history.

Every state change goes through `tickets.actions`; channels (mail, marketplaces) call those
actions and are never imported from here.
"""
