"""Mail transports: IMAP and Maildir in, SMTP out, and a small local SMTP server.

Protocol code only: no Django and no other sellerdesk app, so the ingestion and outbox layers
(`sellerdesk.mail`) decide what to store and when to retry, from the errors raised here.
"""
