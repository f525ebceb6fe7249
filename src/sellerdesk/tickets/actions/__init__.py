"""Every change to tickets, messages and their delivery, one function per action.

Each action runs in one transaction (or a savepoint inside its caller's) and writes a
`TicketEvent`, so the history is complete by construction. Channels and views call these with
plain data; nothing here knows about IMAP, SMTP, marketplaces or HTTP. The package is split
by subject; this module is the one import callers need.
"""

from sellerdesk.tickets.actions.automatic import send_automatic_reply
from sellerdesk.tickets.actions.closing import (
    CLOSING_STATUSES,
    add_root_cause,
    close,
    rename_root_cause,
    root_causes,
    set_root_cause_active,
)
from sellerdesk.tickets.actions.core import (
    MAX_REPLY_ATTACHMENT_BYTES,
    NOT_ANSWERED_KINDS,
    ActionError,
    ComplianceBlocked,
    IncomingFile,
    IncomingMessage,
    StaleView,
    add_inbound,
    claim_version,
    do_reply,
    link_order,
    mark_no_response_needed,
    open_ticket,
    record_outbound_copy,
    set_intent,
    set_status,
)
from sellerdesk.tickets.actions.delivery import (
    MAX_SEND_ATTEMPTS,
    RETRY_BASE,
    RETRY_CAP,
    claim_due,
    mark_bounced,
    mark_failed,
    mark_sent,
    mark_temporary_failure,
    mark_uncertain,
    retry_delay,
    retry_delivery,
    sweep_abandoned,
)
from sellerdesk.tickets.actions.drafts import (
    MAX_DRAFT_LENGTH,
    ReplyOutcome,
    confirm_version,
    discard_draft,
    save_draft,
    send_reply,
)
from sellerdesk.tickets.actions.intake import Opening, open_tickets
from sellerdesk.tickets.actions.notes import NoteResult, add_note, mentioned_names
from sellerdesk.tickets.actions.orders import ORDER_ACTION_KINDS, record_order_action
from sellerdesk.tickets.actions.repair import merge, move_message, primary_of, split_message, undo
from sellerdesk.tickets.actions.snooze import snooze, unsnooze, wake
from sellerdesk.tickets.actions.triage import (
    MAX_TAG_LENGTH,
    add_tags,
    assign,
    normalize_tag_name,
    remove_tag,
)

__all__ = [
    "CLOSING_STATUSES",
    "MAX_DRAFT_LENGTH",
    "MAX_REPLY_ATTACHMENT_BYTES",
    "MAX_SEND_ATTEMPTS",
    "MAX_TAG_LENGTH",
    "NOT_ANSWERED_KINDS",
    "ORDER_ACTION_KINDS",
    "RETRY_BASE",
    "RETRY_CAP",
    "ActionError",
    "ComplianceBlocked",
    "IncomingFile",
    "IncomingMessage",
    "NoteResult",
    "Opening",
    "ReplyOutcome",
    "StaleView",
    "add_inbound",
    "add_note",
    "add_root_cause",
    "add_tags",
    "assign",
    "claim_due",
    "claim_version",
    "close",
    "confirm_version",
    "discard_draft",
    "do_reply",
    "link_order",
    "mark_bounced",
    "mark_failed",
    "mark_no_response_needed",
    "mark_sent",
    "mark_temporary_failure",
    "mark_uncertain",
    "mentioned_names",
    "merge",
    "move_message",
    "normalize_tag_name",
    "open_ticket",
    "open_tickets",
    "primary_of",
    "record_order_action",
    "record_outbound_copy",
    "remove_tag",
    "rename_root_cause",
    "retry_delay",
    "retry_delivery",
    "root_causes",
    "save_draft",
    "send_automatic_reply",
    "send_reply",
    "set_intent",
    "set_root_cause_active",
    "set_status",
    "snooze",
    "split_message",
    "sweep_abandoned",
    "undo",
    "unsnooze",
    "wake",
]
