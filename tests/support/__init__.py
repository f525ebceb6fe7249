"""Harnesses that start real servers on loopback for the tests (Dovecot, SMTP, a private CA)."""
