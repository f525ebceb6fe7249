"""Every change to tickets, messages and their delivery, one function per action.

Each action runs in one transaction (or a savepoint inside its caller's) and writes a
`TicketEvent`, so the history is complete by construction. Channels and views call these with
plain data; nothing here knows about IMAP, SMTP, marketplaces or HTTP. The package is split
by subject; this module is the one import callers need.
"""

from sellerdesk.tickets.actions.core import (
    MAX_SEND_ATTEMPTS,
    NOT_ANSWERED_KINDS,
    RETRY_BASE,
    RETRY_CAP,
    ActionError,
    ComplianceBlocked,
    IncomingFile,
    IncomingMessage,
    add_inbound,
    claim_due,
    do_reply,
    link_order,
    mark_bounced,
    mark_failed,
    mark_no_response_needed,
    mark_sent,
    mark_temporary_failure,
    mark_uncertain,
    open_ticket,
    record_outbound_copy,
    retry_delay,
    retry_delivery,
    set_intent,
    set_status,
    sweep_abandoned,
)

__all__ = [
    "MAX_SEND_ATTEMPTS",
    "NOT_ANSWERED_KINDS",
    "RETRY_BASE",
    "RETRY_CAP",
    "ActionError",
    "ComplianceBlocked",
    "IncomingFile",
    "IncomingMessage",
    "add_inbound",
    "claim_due",
    "do_reply",
    "link_order",
    "mark_bounced",
    "mark_failed",
    "mark_no_response_needed",
    "mark_sent",
    "mark_temporary_failure",
    "mark_uncertain",
    "open_ticket",
    "record_outbound_copy",
    "retry_delay",
    "retry_delivery",
    "set_intent",
    "set_status",
    "sweep_abandoned",
]
