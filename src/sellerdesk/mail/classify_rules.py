"""The data behind mail classification: sender and subject patterns, intent keywords (pure).

Marketplaces change their notice formats without warning: every pattern lives here, in
tables, so a change is one edit. Patterns are matched case-insensitively.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    BUYER_WALMART = "buyer_walmart"
    BUYER_AMAZON = "buyer_amazon"
    BUYER_DIRECT = "buyer_direct"
    WALMART_CASE = "walmart_case"
    WALMART_ESCALATION = "walmart_escalation"
    AMAZON_ATOZ = "amazon_atoz"
    AMAZON_RETURN = "amazon_return"
    AMAZON_REFUND = "amazon_refund"
    COMPLAINT_BBB_AG = "complaint_bbb_ag"
    MARKETPLACE_SYSTEM = "marketplace_system"
    BOUNCE = "bounce"
    AUTO_REPLY = "auto_reply"
    SPAM = "spam"


class Intent(StrEnum):
    WHERE_IS_MY_ORDER = "where_is_my_order"
    CANCEL_REQUEST = "cancel_request"
    ADDRESS_CHANGE = "address_change"
    RETURN_REQUEST = "return_request"
    DAMAGED_ITEM = "damaged_item"
    WRONG_ITEM = "wrong_item"
    NOT_AS_DESCRIBED = "not_as_described"
    MISSING_PARTS = "missing_parts"
    REFUND_STATUS = "refund_status"
    PRE_SALE_QUESTION = "pre_sale_question"
    OTHER = "other"


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# --- senders ----------------------------------------------------------------------------------

# Buyer relays (MARKETPLACE_FACTS.md): replies go back to exactly this address.
WALMART_RELAY = _re(r"^[0-9a-f]{32}@relay\.walmart\.com$")
AMAZON_RELAY = _re(r"^[a-z0-9][a-z0-9._+-]*@marketplace\.amazon\.[a-z]{2,3}(?:\.[a-z]{2})?$")
# Local parts of marketplace.amazon.* addresses that are Amazon's own, not a buyer alias.
AMAZON_RELAY_SYSTEM_LOCALS = _re(
    r"^(?:no-?reply|do-?not-?reply|donotreply|seller-?notification|notifications?|atoz.*|"
    r"returns?|refunds?|payments?.*|seller-?info|messages?-?no-?reply)$"
)

WALMART_SYSTEM_SENDER = _re(r"@(?:[a-z0-9-]+\.)*(?:walmart\.com|walmartone\.com|wal-mart\.com)$")
AMAZON_SYSTEM_SENDER = _re(
    r"@(?:[a-z0-9-]+\.)*(?:amazon\.(?:com|ca|co\.uk|de|fr|it|es|co\.jp|com\.mx|com\.au|in|nl|se|pl|com\.be|com\.br|sg|ae|sa)"
    r"|amazonses\.com|marketplace\.amazon\.[a-z.]+)$"
)

# --- complaints (1-hour deadline on Walmart) --------------------------------------------------

COMPLAINT_SENDER = _re(
    r"(?:@(?:[a-z0-9-]+\.)*bbb\.org$|@(?:[a-z0-9-]+\.)*(?:gov|state\.[a-z]{2}\.us)$)"
)
COMPLAINT_TEXT = _re(
    r"\bbetter\s+business\s+bureau\b|\bbbb\.org\b|\bBBB\s+complaint\b|\battorney\s+general\b|"
    r"\bconsumer\s+protection\s+(?:division|section|unit|bureau|office)\b"
)

# --- marketplace notices: (kind, subject pattern) in order; first match wins ------------------

WALMART_NOTICE_SUBJECTS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    (Kind.WALMART_ESCALATION, _re(r"\bescalat(?:ion|ed|e)\b")),
    (Kind.WALMART_CASE, _re(r"\bcase\b|customer\s+care|\bcase\s*(?:#|number|id)")),
)
AMAZON_NOTICE_SUBJECTS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    (Kind.AMAZON_ATOZ, _re(r"a-?to-?z|a\s+to\s+z\s+guarantee|guarantee\s+claim")),
    (
        Kind.AMAZON_REFUND,
        _re(
            r"\brefund(?:ed)?\b.*\b(?:initiated|issued|processed|notification)|\brefund\s+(?:initiated|issued|notification)"
        ),
    ),
    (
        Kind.AMAZON_RETURN,
        _re(r"return\s+(?:authori[sz]ation|request)|\breturn\s+(?:initiated|requested)"),
    ),
)
# A relayed buyer message's Amazon subject: "<Topic> inquiry from Amazon customer <Name> ...".
AMAZON_BUYER_SUBJECT = _re(r"\binquiry\s+from\s+(?:an\s+)?amazon\s+customer\b")

# --- bounces and auto-replies -----------------------------------------------------------------

BOUNCE_SENDER = _re(r"^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon)@|^mailer-daemon$")
BOUNCE_SUBJECT = _re(
    r"^(?:undeliverable|undelivered\s+mail|delivery\s+status\s+notification\s+\((?:failure|delay)\)"
    r"|mail\s+delivery\s+(?:failed|failure|subsystem)|returned\s+mail|failure\s+notice"
    r"|delivery\s+(?:has\s+)?failed|message\s+not\s+delivered|non-?delivery)"
)
AUTO_REPLY_SUBJECT = _re(
    r"^(?:(?:re|aw|fw):\s*)?(?:automatic\s+reply|auto(?:matic)?[-\s]?(?:reply|response)|out\s+of\s+(?:the\s+)?office"
    r"|autosvar|abwesenheitsnotiz|réponse\s+automatique|respuesta\s+automática|vacation(?:\s+reply)?:"
    r"|i\s+am\s+(?:currently\s+)?out\s+of\s+the\s+office|away\s+from\s+(?:my|the)\s+(?:desk|office))"
)
AUTO_PRECEDENCE = frozenset({"bulk", "junk", "auto_reply", "auto-reply", "list"})

# --- spam -----------------------------------------------------------------------------------

SPAM_FLAG_HEADERS = {"x-spam-flag": _re(r"^yes"), "x-spam-status": _re(r"^yes")}
MARKETING_TEXT = _re(
    r"\b(?:limited[-\s]time\s+offer|act\s+now|\d{1,2}\s*%\s*off|unsubscribe|exclusive\s+deal|"
    r"boost\s+your\s+(?:sales|ranking|reviews)|seo\s+services|buy\s+now|click\s+here|"
    r"free\s+trial|guaranteed\s+(?:results|ranking)|winner|crypto|viagra|double\s+your)\b"
)

# --- intents --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IntentRule:
    intent: Intent
    pattern: re.Pattern[str]


# Checked in order; the first rule that matches wins. Specific problems come before the
# generic requests they often mention ("damaged, I want to return it" is damaged_item),
# refunds before returns ("returned it, where is my refund" is refund_status), and where-is-
# my-order last among order questions because "order" appears in almost everything.
INTENT_RULES: tuple[IntentRule, ...] = (
    IntentRule(
        Intent.DAMAGED_ITEM,
        _re(
            r"\b(?:damaged?|damg?ed|broken|broke|cracked|shattered|smashed|dented|crushed|leak(?:ing|ed|s)|"
            r"torn|ripped|defective|stopped\s+working|won'?t\s+(?:turn|power)\s+on|"
            r"dead\s+on\s+arrival|arrived\s+in\s+pieces)\b"
        ),
    ),
    IntentRule(
        Intent.WRONG_ITEM,
        _re(
            r"\bwrong\s+(?:item|product|size|color|colour|model|one|thing|order)\b|\b(?:sent|received|got|shipped)\s+(?:me\s+)?(?:the\s+)?wrong\b|"
            r"\bnot\s+what\s+i\s+ordered\b|\bdifferent\s+(?:item|product)\s+than\b|\bincorrect\s+(?:item|product)\b|"
            r"\bsomeone\s+else'?s\s+(?:order|package)\b"
        ),
    ),
    IntentRule(
        Intent.MISSING_PARTS,
        _re(
            r"\bmissing\s+(?:parts?|pieces?|items?|screws?|hardware|accessor(?:y|ies)|components?|the\s+\w+)\b|"
            r"\b(?:parts?|pieces?|screws?|hardware|charger|cable|manual|remote|lid)\s+(?:(?:is|are|was|were)\s+)?missing\b|"
            r"\b(?:incomplete|only\s+(?:received|got|had|has|contained|came\s+with)\s+(?:one|1|two|2|part|some|half))\b|"
            r"\bnot\s+all\s+(?:the\s+)?(?:items|parts|pieces)\b|"
            r"\b(?!(?:package|order|parcel|shipment|delivery|refund|money|tracking)\b)\w+\s+(?:is|are|was|were)\s+missing\b"
        ),
    ),
    IntentRule(
        Intent.NOT_AS_DESCRIBED,
        _re(
            r"\bnot\s+as\s+(?:described|advertised|pictured|shown)\b|\b(?:doesn'?t|does\s+not|didn'?t|did\s+not)\s+match\s+(?:the\s+)?"
            r"(?:description|picture|photo|listing|pictures|photos)\b|\b(?:looks?|is)\s+(?:nothing|different)\s+like\s+the\s+"
            r"(?:picture|photo|listing)\b|\bmisleading\b|\bfake\b|\bcounterfeit\b|\bknock-?off\b|\bpoor\s+quality\b|\bcheap(?:ly)?\s+made\b"
        ),
    ),
    IntentRule(
        Intent.CANCEL_REQUEST,
        _re(
            r"\bcancel+(?:l?ation|led|ing|l)?\b|\bcancle\b|\bcansel\b|\b(?:don'?t|do\s+not|no\s+longer)\s+(?:want|need)\s+(?:it|this|the\s+order)\b|"
            r"\bstop\s+(?:the|my)\s+(?:order|shipment)\b|\bordered\s+by\s+mistake\b"
        ),
    ),
    IntentRule(
        Intent.ADDRESS_CHANGE,
        _re(
            r"\b(?:change|update|correct|fix|edit|modify)\s+(?:the\s+|my\s+)?(?:shipping\s+|delivery\s+)?(?:address|adress|addres)\b|"
            r"\b(?:wrong|incorrect|old)\s+(?:shipping\s+|delivery\s+)?(?:address|adress|addres)\b|\bship\s+(?:it\s+)?to\s+(?:a\s+)?different\s+address\b|"
            r"\b(?:address|adress)\s+change\b|\bmoved\b"
        ),
    ),
    IntentRule(
        Intent.REFUND_STATUS,
        _re(
            r"\bwhere\s+is\s+my\s+(?:refund|money)\b|\brefund\s+(?:status|yet|pending)\b|\b(?:haven'?t|have\s+not|not|never)\s+"
            r"(?:yet\s+)?(?:received|gotten|got|seen)\s+(?:my\s+|a\s+|the\s+)?(?:refund|money\s+back|credit)\b|"
            r"\bwhen\s+will\s+i\s+(?:get|receive|see)\s+(?:my\s+)?(?:refund|money)\b|\b(?:still\s+)?waiting\s+(?:on|for)\s+(?:my\s+|a\s+|the\s+)?refund\b|"
            r"\brefund\b.*\b(?:not|never)\s+(?:received|arrived|showed)\b|\breturned\b.*\brefund\b|\brefund\s+(?:issued|processed)\b"
        ),
    ),
    IntentRule(
        Intent.RETURN_REQUEST,
        _re(
            r"\b(?:return|retrun|retun|send\s+(?:it|this)\s+back|exchange)\b|\breturn\s+label\b|\brma\b|\bhow\s+(?:do|can)\s+i\s+return\b|"
            r"\bwant\s+(?:a\s+|my\s+)?(?:refund|money\s+back)\b|\brefund\b"
        ),
    ),
    IntentRule(
        Intent.WHERE_IS_MY_ORDER,
        _re(
            r"\bwhere\s+is\s+(?:my|the)\s+(?:order|package|item|parcel|shipment|stuff)\b|\bwhere'?s\s+my\s+(?:order|package)\b|"
            r"\b(?:hasn'?t|has\s+not|haven'?t|have\s+not|never|not\s+yet|still\s+not|didn'?t|did\s+not)\s+(?:been\s+)?(?:arrived?|received?|recieved?|"
            r"delivered|shipped|come|gotten|got)\b|\btracking\b|\btrack\s+(?:my|the)\b|\b(?:when|will)\s+(?:will\s+)?(?:it|my\s+order|the\s+order|my\s+package)\s+"
            r"(?:arrive|ship|be\s+(?:delivered|shipped))\b|\bstill\s+waiting\b|\b(?:late|delayed)\s+(?:delivery|order|package)\b|\bshipping\s+(?:status|inquiry|update)\b|"
            r"\border\s+status\b|\bmarked\s+(?:as\s+)?delivered\b|\blost\s+(?:package|order|in\s+transit)\b"
        ),
    ),
    IntentRule(
        Intent.PRE_SALE_QUESTION,
        _re(
            r"\b(?:product\s+details|product\s+question|pre-?sale)\b|\b(?:is|are|does|do|will|would|can)\s+(?:this|these|it|they|you)\s+"
            r"(?:fit|work|come|compatible|include|have|ship|available|sell|offer|carry|in\s+stock)\b|\bin\s+stock\b|\bcompatible\s+with\b|"
            r"\bbefore\s+(?:i\s+)?(?:buy|order|purchas)\w*\b|\b(?:bulk|wholesale)\s+(?:order|price|pricing|discount)\b|\bwhat\s+(?:size|are\s+the\s+dimensions)\b"
        ),
    ),
)
# Amazon's subject topic, when present, is the buyer's own choice of topic: it beats keywords.
AMAZON_TOPIC_INTENTS: tuple[tuple[re.Pattern[str], Intent], ...] = (
    (_re(r"^product\s+details\s+inquiry"), Intent.PRE_SALE_QUESTION),
    (_re(r"^(?:shipping|delivery)\s+inquiry"), Intent.WHERE_IS_MY_ORDER),
    (_re(r"^(?:return|returns)\s+(?:request\s+)?inquiry"), Intent.RETURN_REQUEST),
    (_re(r"^refund\s+inquiry"), Intent.REFUND_STATUS),
    (
        _re(r"^(?:order\s+)?cancell?ation\s+inquiry|^cancel\s+order\s+inquiry"),
        Intent.CANCEL_REQUEST,
    ),
)
