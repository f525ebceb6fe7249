"""Phrase rules: promotions, reviews, buyer data, other marketplaces, extra payment, abuse and
Amazon's format rules. Patterns look for what is said (an offer, a request, a reward) rather
than single words, so that "we will review your return" or "the refund difference" pass."""

from __future__ import annotations

import re

from sellerdesk.compliance.rules_base import (
    RULES,
    Context,
    Finding,
    Severity,
    finding,
    sentence_bounds,
)

PROMOTION = re.compile(
    r"(?i)\b\d{1,2}\s?(?:%|percent|per\s+cent)\s*(?:off|discount|savings?)\b"
    r"|\b(?:coupons?|promo(?:tion(?:al)?)?\s+codes?|discount\s+codes?|voucher|vouchers|"
    r"(?:use|enter|apply)\s+(?:the\s+)?code|bogo|buy\s+one,?\s+get\s+one|flash\s+sale|"
    r"(?:big|huge|our|seasonal|holiday|clearance|summer|winter|annual)\s+sale|on\s+sale|"
    r"black\s+friday|cyber\s+monday|prime\s+day|limited[\s-]time\s+(?:offer|deal)|"
    r"(?:special|exclusive)\s+(?:offer|deal|discount|price)s?|new\s+arrivals|new\s+collection|"
    r"newsletter|refer\s+a\s+friend|referral|loyalty\s+(?:program|reward|points?|discount)|"
    r"free\s+gift|mailing\s+list|store[\s-]?wide|"
    r"(?:shop|buy|order)\s+now|don'?t\s+miss\s+(?:out|our|this)|while\s+supplies\s+last|hurry|clearance|"
    r"(?:holiday|great|amazing|huge|hot|daily|weekly|exclusive|best)\s+deals|lowest\s+prices?\s+(?:ever|of\s+the\s+year)|"
    r"(?:special|exclusive|extra|loyal\s+customer|returning\s+customer|vip)\s+discount|"
    r"(?:we|i)\s+(?:\w+\s+){0,2}recommend\s+(?:\w+\s+){0,2}our\s+(?:other|new|premium|deluxe|\w+\s+(?:model|version|kit|set))|"
    r"(?:upgrade|switch)\s+to\s+our\s+(?:premium|deluxe|pro|new|better)|gift\s+with\s+purchase|"
    r"free\s+(?:shipping|gift|sample)\s+on\s+(?:your\s+)?(?:next|future)|"
    r"\d\s+for\s+the\s+price\s+of\s+\d|two\s+for\s+(?:one|the\s+price\s+of\s+one)|"
    r"giveaways?|sweepstakes|contest|save\s+(?:\d+\s?%|\$\d+|big)|"
    r"(?:discount|deal|credit|money)\s+(?:\w+\s+){0,2}(?:on|off|for|towards?)\s+(?:your\s+)?(?:next|future|another)\s+(?:order|purchase|buy)|"
    r"(?:next|future)\s+(?:order|purchase)s?\s+(?:with\s+us\s+)?(?:\w+\s+){0,3}(?:discount|off|free|cheaper)|"
    r"you\s+(?:may|might|would|will)\s+also\s+(?:like|love|enjoy)|"
    r"(?:check(?:\s+out)?|take\s+a\s+look\s+at|browse|explore|see|visit|shop|discover)\s+(?:\w+\s+)?(?:our|my)\s+(?:other|new|latest|full|matching|related|whole|entire|complete|similar|own)?\s*"
    r"(?:products?|items?|listings?|store(?:front)?|shop|collection|line|range|catalog(?:ue)?|selection|website|site|page|brand|best\s*sellers?|deals|offers|sales|favou?rites|top\s+picks|bundles?)|"
    r"our\s+(?:new|latest|newest)\s+(?:\w+\s+){0,2}(?:collection|line|products|arrivals|releases|range|items)|"
    r"(?:our|we)\s+(?:also\s+)?(?:sell|carry|offer|have)\s+(?:a\s+)?(?:matching|similar|other|related|complementary)\s+\w+|"
    r"we\s+also\s+(?:sell|carry|make|stock)\b|pairs?\s+(?:well|perfectly|nicely)\s+with\s+our|"
    r"complete\s+the\s+(?:set|look)|follow\s+(?:us|our\s+\w+)|"
    r"(?:stock\s+up|order\s+(?:more|another|again))\s+(?:\w+\s+){0,3}(?:today|now|while|and\s+save))\b"
    r"|\$\d+(?:\.\d\d)?\s+off\b"
)

# Cross-selling and upselling said without any sale word: other products of ours (with any
# number of modifiers), "goes well with", social proof, upgrades, the seller's own site.
_PRODUCT_NOUN = (
    r"(?:products?|pieces|items?|listings?|collection|line(?:up)?|range|catalog(?:ue)?|selection|"
    r"designs?|styles?|models?|versions?|editions?|accessor(?:y|ies)|bundles?|kits?|sets?|"
    r"colou?rs|sizes|variants?|(?:replacement|spare)\s+\w+|favou?rites|best\s*sellers?)"
)
# Up to four words that describe a product ("handmade ceramic"), never a verb or a function
# word, so that "our other warehouse will ship the items" is not read as "our other items".
_MODIFIERS = (
    r"(?:(?!(?:will|would|can|could|should|is|are|was|were|has|have|had|did|does|do|ship\w*|sen[dt]\w*|"
    r"and|or|but|to|for|from|with|of|in|on|at|about|below|above|regarding|that|which|who|the|a|an)\b)[\w-]+\s+){0,4}?"
)
CROSS_SELL = re.compile(
    r"(?i)\b(?:"
    r"(?:check(?:ing)?\s+out|take\s+a\s+look\s+at|have\s+a\s+look\s+at|browse|explore|discover)\s+"
    rf"(?:\w+\s+)?(?:our|my)\s+{_MODIFIERS}{_PRODUCT_NOUN}"
    rf"|our\s+other\s+{_MODIFIERS}{_PRODUCT_NOUN}"
    r"|(?:also|often|usually|always|tend\s+to)\s+(?:\w+\s+)?(?:buy|grab|love|like|add|get|order|pick\s+up|choose|"
    r"purchase|go\s+for|enjoy)\w*\s+(?:\w+\s+)?our\s+[\w-]+"
    r"|(?:goes?|go|going|would\s+go|pairs?|pairing)\s+(?:so\s+|really\s+|very\s+)?"
    r"(?:well|beautifully|nicely|perfectly|great|wonderfully)\s+with\s+[^.!?\n]{0,50}?"
    r"(?:\byou\s+(?:just\s+)?(?:bought|ordered|purchased|got|chose)|\bthe\s+one\s+you|\bour\b|\bmatching\b|"
    r"\bsame\s+(?:range|series|line|collection|set))"
    r"|(?:upgrad(?:e|ing)|step(?:ping)?\s+up|switch(?:ing)?)\s+to\s+(?:the|our)\s+(?:[\w-]+\s+){0,2}"
    r"(?:model|version|edition|kit|set|bundle|pro|plus|premium|deluxe)\b"
    r"|(?:our|the)\s+(?:[\w-]+\s+){0,2}(?:model|version|edition|size|set|kit)\s+(?:is|would\s+be)\s+"
    r"(?:an?\s+)?(?:even\s+|much\s+|far\s+)?better\s+(?:value|choice|option|buy|pick|deal)"
    r"|(?:the\s+)?[a-z]{1,4}-?\d{2,}\w*\s+(?:is|would\s+be)\s+(?:an?\s+)?(?:even\s+|much\s+)?better\s+(?:value|choice|option|buy|pick)"
    r"|(?:price\s+is\s+(?:temporarily\s+)?(?:reduced|lowered|cut|dropped)|marked\s+down|reduced\s+price|price\s+(?:drop|cut)s?|"
    r"priced\s+lower|cheaper)\s+(?:\w+\s+){0,2}(?:until|through|till|this\s+(?:week|weekend|month)|today|for\s+a\s+(?:limited|short))"
    r"|(?:keep\s+(?:us|it|this|that)\s+in\s+mind|remember\s+us|think\s+of\s+us)\s+(?:\w+\s+){0,2}(?:next|future)\s+(?:order|purchase|time)s?"
    r")\b"
)
# The seller's own site or shop, which is promotion only when it is offered as a place to buy
# ("the full range is on our brand site"), not when it holds a manual or a contact form.
OWN_SITE = re.compile(
    r"(?i)\b(?:(?:on|at|in|from|via|through)\s+our\s+(?:own\s+)?(?:brand|official|online|web)?\s*"
    r"(?:website|web\s*site|site|web\s*shop|storefront|shop|store)|our\s+own\s+(?:website|web\s*site|site|web\s*shop|shop|store|storefront)"
    r"|our\s+(?:brand'?s\s+)?(?:own\s+)?(?:official\s+|online\s+|brand\s+)?(?:website|web\s*site|web\s*shop|online\s+(?:store|shop)))\b"
)
SELECTION = re.compile(
    r"(?i)\b(?:(?:more|other|full|complete|whole|wider|entire)\s+(?:[\w-]+\s+)?(?:range|line-?up|selection|collection|"
    r"catalog\w*|line|assortment|colou?rs|sizes|styles|models|products|items|designs|options|choice)|"
    r"range|line-?up|selection|cheaper|lower\s+price|next\s+(?:time|order)|"
    r"future|listed|available|stocks?|carr(?:y|ies)|sells?|buy|order\s+from)\b"
)
# A "goes well with" that points at what already came with the order is advice, not a sale.
INCLUDED = re.compile(
    r"(?i)\b(?:included|in(?:side)?\s+(?:your|the)\s+(?:box|package|parcel|order)|came\s+with|comes\s+with|supplied|"
    r"you\s+already\s+(?:have|own))\b"
)
# Cross-channel selling: "our eBay listing", "also available on Etsy".
OWN_CHANNEL = re.compile(
    r"(?i)\b(?:our|my)\s+(?:\w+\s+)?(?:listings?|shop|store|storefront|page)\b|\balso\s+(?:get|buy|find|order|sell|available)\b"
    r"|\b(?:other|more)\s+(?:sizes|colou?rs|styles|models|products|items)\b"
)

# Review words as nouns: "review" alone is also a verb ("we will review your photos").
_REVIEW = (
    r"(?:(?:a|an|your|the|my|our|positive|negative|good|great|nice|honest|bad|poor|product|seller|"
    r"customer|glowing|favou?rable|written|low|1|one|2|two|\d|five|four)[\s-]+(?:star\s+)?"
    r"(?:reviews?|ratings?|feedback|testimonials?)|reviews|feedback|star\s+ratings?|"
    r"\b(?:5|five|4|four)[\s-]?stars?|(?:leave|write|post|give|left|leaving|writing|posting)\s+(?:us\s+)?(?:a\s+)?"
    r"(?:review|rating|feedback)|rate\s+(?:us|our|the\s+product|your\s+(?:experience|purchase|order)))"
)
REVIEW = re.compile(rf"(?i)\b{_REVIEW}\b")
INCENTIVE = re.compile(
    r"(?i)\b(?:(?<!feel\s)(?<!hands-)free(?!\s+to\b)(?!\s+of\s+(?:defects?|damage|scratches))|refund(?:ed)?|discount|gift|coupon|reward(?:ed)?|in\s+exchange|compensat\w*|"
    r"bonus|cash|money\s+back|rebate|\$\d+|\d+\s?%|% off|voucher|credit|extra\s+\w+|"
    r"(?:send|give|offer)\s+you\s+(?:a|an|another|something)|for\s+free|pay\s+you|thank\s+you\s+gift)\b"
)
# Manipulation without a reward: happy buyers only, change/remove, divert a negative one.
REVIEW_MANIPULATION = re.compile(
    r"(?i)\b(?:(?:remov|delet|chang|updat|revis|edit|amend|take\s+down|withdraw|retract|"
    r"modif|reconsider|upgrad|bump\w*\s+up|adjust|revisit)\w*\s+(?:[\w'-]+\s+){0,3}"
    r"(?:review|rating|feedback|stars?)"
    r"|(?:review|rating|feedback)\s+(?:\w+\s+){0,3}(?:removed|deleted|changed|updated|revised|taken\s+down|withdrawn)"
    r"|(?:positive|good|great|5[\s-]star|five[\s-]star|glowing|favou?rable|excellent|perfect)\s+(?:review|rating|feedback)"
    r"|(?:5|five)[\s-]stars?"
    r"|if\s+you\s+(?:are|were|'re|feel|felt)?\s*(?:\w+\s+)?(?:happy|satisfied|pleased|delighted|love|loved|like|liked|enjoy|enjoyed)\b[^.!?\n]{0,80}(?:review|rating|feedback|stars?)"
    r"|if\s+(?:you(?:'re|\s+are|\s+were|\s+feel)?|it|the\s+[\w-]+|your\s+[\w-]+|everything)\s+(?:\w+\s+){0,3}?"
    r"(?:happy|satisfied|pleased|delighted|love|loved|like|liked|enjoy|enjoyed|smile|meets?\s+your\s+expectations|"
    r"works?\s+(?:well|great|for\s+you))\b[^.!?\n]{0,100}\b(?:review|rating|feedback|stars?|kind\s+words|a\s+few\s+words)"
    r"|(?:enjoying|loving|liking|happy\s+with|satisfied\s+with|pleased\s+with|love|like)\s+[^.!?\n]{0,40}\?\s+"
    r"[^.!?\n]{0,60}\b(?:review|rating|feedback|stars?|kind\s+words)"
    r"|(?:only|please)\s+(?:\w+\s+){0,3}(?:review|feedback|rating)\s+(?:\w+\s+){0,3}if\s+(?:you\s+)?(?:are\s+)?(?:happy|satisfied|pleased)"
    r"|(?:review|feedback|rating|stars?)\s+(?:\w+\s+){0,2}(?:only\s+)?if\s+(?:you\s+)?(?:are\s+|were\s+)?(?:\w+\s+)?(?:happy|satisfied|pleased|delighted|love|loved|like|liked|enjoy|enjoyed)\b"
    r"|only\s+(?:leave|write|post|give)\w*\s+(?:us\s+)?(?:a\s+)?(?:review|feedback|rating)"
    r"|(?:don'?t|do\s+not|please\s+not|avoid|instead\s+of)\s+(?:\w+\s+){0,2}(?:leav|writ|post|giv)\w*\s+(?:a\s+|any\s+|us\s+)?(?:negative|bad|low|poor|1[\s-]star|one[\s-]star|2[\s-]star|two[\s-]star)"
    r"|contact\s+us\s+(?:first\s+)?before\s+(?:\w+\s+){0,3}(?:review|feedback|rating)"
    r"|before\s+(?:leaving|writing|posting|giving)\s+(?:\w+\s+){0,2}(?:negative|bad|low|poor|a|any)?\s*(?:review|feedback|rating)"
    r"|(?:instead\s+of|rather\s+than)\s+(?:leaving|writing|posting)\s+(?:\w+\s+){0,2}(?:review|feedback|rating)"
    r"|(?:another|again|one\s+more\s+time|still\s+(?:waiting|hoping)|reminder|haven'?t\s+(?:yet\s+)?(?:left|written|had)|"
    r"have\s+not\s+(?:yet\s+)?(?:left|written)|didn'?t\s+(?:get\s+a\s+chance\s+to\s+)?(?:leave|write)|second\s+request|"
    r"follow(?:ing)?\s+up|as\s+we\s+asked|asked\s+(?:you\s+)?before)\b[^.!?\n]{0,60}(?:review|feedback|rating)"
    r"|(?:review|feedback|rating)[^.!?\n]{0,40}\b(?:again|reminder|yet))\b"
)
# What a request asks for: a review as a noun (not "we will review your photos").
_REVIEW_ASKED = (
    r"(?:(?:a|an|your|some|the|us\s+a)\s+(?:[\w-]+\s+){0,2}?(?:review|rating|feedback)|kind\s+words|a\s+few\s+words|"
    r"your\s+(?:thoughts|opinion|experience)|(?:left|leave|wrote|write|posted|post|gave|give)\s+(?:us\s+)?(?:a\s+)?"
    r"(?:\w+\s+)?(?:review|rating|feedback)|(?:[1-5]|five|four)[\s-]stars?)\b"
)
REVIEW_REQUEST = re.compile(
    r"(?i)\b(?:(?:leave|write|post|give|share|submit)\s+(?:us\s+)?(?:a|an|your|some)?\s*(?:\w+\s+)?"
    r"(?:review|rating|feedback)|rate\s+(?:us|our|the\s+(?:product|item)|your\s+(?:experience|purchase|order|item))|"
    r"(?:share|tell\s+(?:us|others))\s+(?:about\s+)?your\s+(?:experience|thoughts|opinion)|"
    r"(?:review|feedback|rating)\s+(?:would|will)\s+(?:help|mean|be\s+(?:appreciated|great))|"
    r"review\s+us|drop\s+(?:us\s+)?a\s+(?:review|rating|line\s+on\s+walmart)|how\s+did\s+we\s+do|tell\s+us\s+how\s+we\s+did|"
    r"(?:we'?d|we\s+would)\s+love\s+(?:to\s+hear\s+your\s+(?:feedback|review|thoughts)|your\s+(?:feedback|review|rating))|"
    r"(?:a\s+(?:quick\s+)?review|your\s+review|a\s+rating|your\s+rating)\s+(?:would|will|really|means|helps)|"
    r"rate\s+(?:it|this|the\s+seller|your\s+(?:product|seller))|"
    r"(?:mind|willing\s+to|consider)\s+(?:leaving|writing|sharing|posting)|"
    r"(?:review|rate)\s+(?:the|this|your)\s+(?:product|item|purchase)\s+(?:on|at)\s+(?:walmart|amazon)|"
    # Gratitude or appreciation framing: "we'd be thankful for a few kind words", "we'd
    # appreciate it if you left a review", "a rating from you would be appreciated".
    r"(?:we'?d|we\s+would|i'?d|i\s+would|it\s+would|it'?d)\s+(?:really\s+|so\s+|truly\s+)?(?:be|mean|make)\s+[^.!?\n]{0,60}?"
    rf"{_REVIEW_ASKED}|"
    r"(?:we'?d|we\s+would|i'?d|i\s+would)\s+(?:really\s+|so\s+|truly\s+)?(?:appreciate|love|welcome|value)\s+[^.!?\n]{0,50}?"
    rf"{_REVIEW_ASKED}|"
    r"(?:a|your|any)\s+(?:quick\s+|short\s+|few\s+)?(?:review|rating|feedback|kind\s+words)\s+(?:from\s+you\s+)?"
    r"(?:would|will|could)\s+(?:be\s+)?(?:\w+\s+)?(?:appreciated|welcome|lovely|wonderful|great|helpful|help|mean|make)|"
    r"rating\s+(?:the|your|this)\s+[\w-]+)"
)

DATA_ITEM = (
    r"(?:(?:personal|private|home|cell|mobile|direct)?\s*(?:phone|telephone|cell|mobile)\s*(?:number|#|no\.?)"
    r"|(?:personal\s+|private\s+|real\s+|own\s+)?e-?mail(?:\s+address)?|date\s+of\s+birth|birth\s*date|birthday|dob|"
    r"social\s+security(?:\s+number)?|ssn|(?:credit|debit|bank)\s+card(?:\s+(?:number|details|info\w*))?|"
    r"card\s+(?:number|details)|cvv|cvc|security\s+code|bank\s+(?:account|details|info\w*|routing)|routing\s+number|"
    r"account\s+password|password|login(?:\s+details)?|driver'?s\s+licen[cs]e|passport|(?:photo|copy|picture)\s+of\s+(?:your\s+)?(?:id|license|passport)|"
    r"(?:government|state|national)\s+id|(?:amazon|walmart)\s+(?:account\s+)?(?:password|login)|"
    r"mother'?s\s+maiden\s+name|income|(?:your\s+)?age|pin(?:\s+code|\s+number)?|tax\s+id|full\s+card)"
)
BUYER_DATA = re.compile(
    r"(?i)\b(?:(?:send|provide|share|give|tell|confirm|verify|include|reply\s+with|need|require|"
    r"what\s+is|what's|may\s+(?:we|i)\s+have|can\s+(?:we|i)\s+(?:have|get)|could\s+you|please|"
    r"let\s+(?:us|me)\s+know)\s+(?:\w+\s+){0,4}(?:your|the\s+buyer'?s|the\s+card(?:holder)?'?s|the)\s+"
    rf"{DATA_ITEM}|your\s+{DATA_ITEM}\s+(?:is\s+)?(?:required|needed|so\s+(?:we|that))"
    r"|(?:ssn|social\s+security\s+number|card\s+number|cvv)\b)\b"
)
NEGATED = re.compile(r"(?i)\b(?:never|not|n't|no\s+need|don'?t|won'?t|nor)\b")

OTHER_MARKETS = {
    "walmart": r"amazon(?:\.[a-z.]+)?|fba|fulfilled\s+by\s+amazon|prime\s+(?:shipping|member)",
    "amazon": r"walmart(?:\.com)?",
}
OTHER_MARKETPLACE = (
    r"ebay|etsy|temu|shein|ali\s?express|alibaba|mercari|poshmark|newegg|wayfair|overstock|"
    r"rakuten|facebook\s+marketplace|tiktok\s+shop|wish\.com|target\.com|bestbuy\.com|"
    r"best\s+buy\s+marketplace|offerup|craigslist|shopify\s+store|depop|bonanza|groupon|zulily|"
    r"vinted|kohls\.com|macys\.com|(?-i:Target|Best\s+Buy|Wish\s+app|Home\s+Depot|Costco|Chewy|Kohl's|Macy's|AMZ)"
)

EXTRA_PAYMENT = re.compile(
    r"(?i)\b(?:restocking\s+fee|re-?stocking\s+charge|handling\s+fee|"
    r"(?:pay|send|add|cover|owe|charge\s+you)\s+(?:us\s+)?(?:an?\s+)?(?:extra|additional|more|another|the\s+remaining|the\s+difference|a\s+fee|the\s+fee)"
    r"|(?<!we\s)(?<!we'll\s)(?<!i'll\s)(?<!will\s)(?<!can\s)\b(?:send|pay|transfer|wire|add)\s+(?:us\s+)?(?:an?\s+)?(?:extra\s+|additional\s+|another\s+)?\$\d[\d.,]*"
    r"|(?<!we\s)(?<!we'll\s)(?<!i'll\s)(?<!will\s)(?<!can\s)\b(?:send|pay|transfer|wire|add|cover|make\s+up)\s+(?:over\s+|us\s+)?"
    r"(?:the\s+)?(?:extra\s+|remaining\s+|additional\s+)?\$\d[\d.,]*\s+(?:price\s+)?(?:difference|gap|balance)"
    r"|(?:you|buyer)\s+(?:\w+\s+){0,2}to\s+cover\s+the\s+(?:upgrade|difference|shipping|postage|cost|fee)"
    r"|deduct\w*\s+(?:\w+\s+){0,3}(?:from|off)\s+(?:your|the)\s+refund|(?:fee|charge)\s+of\s+\$\d"
    r"|(?:at\s+your\s+(?:own\s+)?(?:cost|expense)|on\s+your\s+dime)"
    r"|(?:return\s+shipping|shipping\s+(?:it\s+)?back|postage)\s+(?:\w+\s+){0,2}(?:on\s+you|your\s+responsibility|paid\s+by\s+you)"
    r"|only\s+(?:refund|give|return)\s+(?:you\s+)?(?:\d+\s?%|half|part)"
    r"|additional\s+(?:charge|fee|payment|cost)s?|extra\s+(?:charge|fee|payment|cost)s?"
    r"|you(?:'ll|\s+will)?\s+(?:need\s+to|must|have\s+to|has\s+to|be\s+required\s+to)\s+(?:pay|cover|reimburse)"
    r"|you\s+will\s+be\s+(?:charged|billed)|we\s+(?:will|'ll|must|have\s+to)\s+(?:charge|bill)\s+you"
    r"|(?:cancel|close|withdraw|retract|drop|remove)\s+(?:the\s+|your\s+)?(?:return(?:\s+request)?|claim|case|dispute|a-to-z(?:\s+claim)?|chargeback)\b[^.!?\n]{0,100}\b(?:refund|pay|send|discount|money|\$|%|credit|gift|exchange|compensat)"
    r"|(?:if|once|when)\s+you\s+(?:cancel|close|withdraw|don'?t\s+(?:open|file|start)|do\s+not\s+(?:open|file|start))\s+(?:the\s+|your\s+|a\s+)?(?:return|claim|case|dispute|a-to-z)"
    r"|(?:instead\s+of|rather\s+than)\s+(?:a\s+)?(?:returning|return(?:ing)?\s+it|opening|filing|starting)\b[^.!?\n]{0,80}\b(?:refund|pay|send|discount|\$|%|credit|keep))"
)
DROP_CLAIM = re.compile(
    r"(?i)\b(?:cancel|close|withdraw|retract|drop|remove|revoke)\w*\s+(?:\w+\s+){0,2}"
    r"(?:return(?:\s+request)?|claim|case|dispute|a-to-z|chargeback)s?\b"
)
OFFER = re.compile(
    r"(?i)\b(?:refund\w*|pay\w*|send\s+you|discount|money|credit|gift|keep\s+(?:it|the)|compensat\w*|bonus|extra|in\s+exchange)\b|\$\d|\d\s?%"
)
REMOVAL_ASK = re.compile(
    r"(?i)\b(?:could|would|can|will)\s+you\s+(?:please\s+)?(?:take\s+(?:it|that|this)\s+down|remov|delet|chang|updat|revis|edit|withdraw|retract|reconsider|amend)\w*"
    r"|please\s+(?:take\s+(?:it|that|this)\s+down|remov|delet|chang|updat|revis|edit|withdraw|retract|reconsider|amend)\w*"
)
NOT_CHARGED = re.compile(r"(?i)\b(?:not|never|n't|no)\s+(?:\w+\s+){0,2}$")

ABUSIVE = re.compile(
    r"(?i)\b(?:f[u*@#!]+c?k\w*|f\*+\w*|sh[i*!1]t\w*|bull\s?shit|b[i*!1]tch\w*|bastards?|a[s$*]{2}holes?|"
    r"dumb\s?ass|jackass|damn|goddamn|crap|piss(?:\s+off|ed)?|idiots?|idiotic|stupid|moron\w*|"
    r"imbeciles?|dumb|retard\w*|clueless|pathetic|loser|scum\w*|trash\s+person|"
    r"you(?:'re|\s+are)\s+(?:a\s+|an\s+)?(?:liar|scammer|thief|fraud|crook|cheat|joke|clown|lying)|"
    r"stop\s+lying|shut\s+up|get\s+lost|go\s+to\s+hell|screw\s+you|learn\s+(?:how\s+)?to\s+read|"
    r"can'?t\s+you\s+read|(?:are\s+you|you)\s+(?:blind|illiterate)|waste\s+(?:of\s+)?(?:our|my)\s+time|"
    r"you\s+people|we\s+know\s+where\s+you\s+live|(?:we|i)\s+will\s+(?:sue|report|ruin|destroy|find)\s+you|"
    r"see\s+you\s+in\s+court|you(?:'ll|\s+will)\s+regret|"
    r"you(?:'re|\s+are)\s+(?:being\s+|so\s+|just\s+|clearly\s+)?(?:a\s+|an\s+)?(?:ridiculous|unreasonable|greedy|lazy|entitled|rude|crazy|nuts|insane|delusional|dishonest|ignorant|incompetent|useless|pathetic|annoying|impossible|jerk|fool|cheapskate|pain)|"
    r"(?:your|this)\s+(?:complaint|claim|request|message|question|review)\s+is\s+(?:ridiculous|stupid|absurd|nonsense|garbage|pathetic|a\s+joke)|"
    r"stop\s+(?:whining|complaining|bothering|harassing|nagging|crying|wasting)|quit\s+(?:whining|complaining)|"
    r"(?:not\s+our|your\s+own)\s+(?:problem|fault)\b[^.!?\n]{0,20}(?:deal\s+with\s+it|tough|too\s+bad)|deal\s+with\s+it|tough\s+luck|too\s+bad\s+for\s+you|"
    r"get\s+a\s+life|grow\s+up|shame\s+on\s+you|how\s+dare\s+you|nobody\s+cares|who\s+cares|"
    r"trying\s+to\s+(?:scam|cheat|rob|steal\s+from)\s+us|scamming\s+us|fraudster|jerk|go\s+away|leave\s+us\s+alone|"
    r"wtf|stfu|screw\s+(?:off|this)|sucks?\s+to\s+be\s+you|bloody\s+hell|hell\s+no)\b"
)

# Hostility without a swear word: condescension, threats of reports or lawyers, and threats
# about a bad review ("leave a one-star review and see what happens").
HOSTILITY = re.compile(
    r"(?i)\b(?:"
    r"if\s+you(?:'d|\s+had|\s+would\s+have)\s+(?:just\s+|even\s+)?(?:bothered|cared|taken\s+the\s+time|paid\s+attention)"
    r"|(?:didn'?t|did\s+not|don'?t|never)\s+(?:even\s+)?bother(?:ed)?\s+to\s+(?:read|look|check)"
    r"|(?:obviously|clearly|evidently|apparently)\s+(?:didn'?t|did\s+not|never|can'?t|cannot|don'?t)\s+(?:\w+\s+)?read"
    r"|(?:maybe|try|next\s+time,?)\s+(?:actually\s+)?read(?:ing)?\s+(?:the\s+)?(?:description|listing|size\s+chart|instructions|manual|product\s+page|details)"
    r"|(?:you|your\s+(?:\w+\s+){0,2}(?:messages|emails|complaints|requests|questions))\s*(?:are|is|'re)\s+"
    r"(?:becoming\s+|getting\s+|being\s+|such\s+|a\s+real\s+|really\s+)*(?:a\s+|an\s+)?(?:nuisance|pest|headache|annoyance|harassment|tiresome|exhausting)"
    r"|(?:we|i)(?:'ll|'re|'m|\s+will|\s+shall|\s+are|\s+am)?\s+(?:going\s+to\s+|be\s+|now\s+|definitely\s+)?"
    r"(?:report(?:ing)?|flag(?:ging)?|sue|suing|ban(?:ning)?|blacklist(?:ing)?|expos(?:e|ing)|ruin(?:ing)?|block(?:ing)?)\s+"
    r"(?:you|your\s+(?:account|profile|name|reputation))\b"
    r"|(?:lawyers?|attorneys?|legal\s+(?:team|department)|solicitors?)\s+will\s+(?:be\s+in\s+touch|contact\s+you|deal\s+with|handle\s+(?:this|you))"
    r"|(?:take|pursue|start|begin|initiate|file)\s+legal\s+(?:action|steps|proceedings)"
    r"|(?:one|any)\s+more\s+(?:complaints?|messages?|words?|emails?|returns?)\s+(?:\w+\s+){0,3}?and\s+(?:we|i)\b"
    r"|keep\s+(?:\w+\s+){0,3}like\s+this\s+and\b"
    r"|wast(?:e|ing)\s+(?:of\s+)?(?:our|my)\s+(?:whole\s+)?(?:afternoon|morning|day|evening|energy|weekend)"
    r"|read\s+(?:\w+\s+){0,2}properly\s+next\s+time"
    r"|see\s+what\s+happens|stay\s+away\s+from\s+you|make\s+sure\s+everyone\s+knows"
    r"|(?:leave|write|post|give)\s+(?:us\s+)?(?:a\s+|an\s+|that\s+)?(?:\w+\s+)?(?:negative|bad|low|poor|1[\s-]star|one[\s-]star|2[\s-]star|two[\s-]star)\s+"
    r"(?:review|rating|feedback)[^.!?\n]{0,15}\band\s+(?:we(?:'ll|\s+will)?|see|you(?:'ll|\s+will))\b"
    r")"
)
REVIEW_THREAT = re.compile(
    r"(?i)(?:negative|bad|low|poor|1[\s-]star|one[\s-]star|2[\s-]star|two[\s-]star)\s+(?:review|rating|feedback)"
    r"[^.!?\n]{0,15}\band\s+(?:we(?:'ll|\s+will)?|see|you(?:'ll|\s+will))\b"
)
# Changing or removing a review is manipulation, not a new request for one.
CHANGE_ASK = re.compile(
    r"(?i)\b(?:remov|delet|chang|updat|revis|edit|amend|take\s+(?:it|that|this)?\s*down|withdraw|retract|modif|"
    r"reconsider|bump\w*\s+up|adjust|revisit)"
)

EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\U0001f1e6-\U0001f1ff]+"
    r"|(?<!\w)(?::-?\)|:-?D|;-?\)|<3|:-?P)(?!\w)"
)
OPT_OUT = re.compile(
    r"(?i)\b(?:unsubscribe|opt[\s-]?out|stop\s+receiving|no\s+longer\s+(?:wish\s+to\s+)?receive|"
    r"manage\s+(?:your\s+)?(?:email\s+)?(?:preferences|subscriptions?)|reply\s+stop)\b"
)
IMPORTANT_SUBJECT = re.compile(
    r"(?i)\[?\s*\b(?:important|urgent|action\s+required|attention)\b\s*\]?!*"
)
# Messages that really are needed to complete the order may be marked important.
ORDER_CRITICAL = re.compile(
    r"(?i)\b(?:(?:confirm|verify|correct|update)\w*\s+(?:\w+\s+){0,3}(?:shipping\s+)?address|"
    r"undeliverable|returned\s+to\s+sender|customi[sz]\w*|personali[sz]\w*|engrav\w*|"
    r"(?:cannot|can'?t|unable\s+to)\s+(?:ship|deliver|fulfil)\w*|out\s+of\s+stock|recall)"
)
ATTACHMENT_OK = re.compile(
    r"(?i)invoice|receipt|instruction|manual|guide|warranty|guarantee|assembly|setup|install|"
    r"return[\s_-]*label|packing[\s_-]*slip|spec[\s_-]*sheet|certificate"
)
THANKS_ONLY = re.compile(
    r"(?i)\bthank(?:s|\s+you)\s+(?:so\s+much\s+)?(?:for\s+(?:your|the)\s+(?:order|purchase|business)|"
    r"for\s+(?:shopping|buying|choosing|ordering))"
    r"|\b(?:your\s+order|it|the\s+(?:item|package|order))\s+(?:has\s+)?(?:been\s+)?(?:shipped|dispatched|sent)\b"
)

# Sentences that add nothing to a thank-you or a shipping confirmation.
PLEASANTRY = re.compile(
    r"(?i)\b(?:thank|thanks|hope|enjoy|have\s+a\s+(?:great|nice|good|lovely|wonderful)|regards|best|cheers|sincerely|"
    r"team|shipped|dispatched|on\s+its\s+way|in\s+transit|arriv\w*|deliver\w*|track\w*|carrier|ship\w*)\b"
)


def _other_content(text: str) -> bool:
    """Whether a proactive message says something besides thanks or "it has shipped": a
    sentence with none of those words and at least four words of its own."""
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        if len(re.findall(r"[A-Za-z0-9']+", sentence)) >= 4 and not PLEASANTRY.search(sentence):
            return True
    return False


SUGGESTIONS = {
    "promotion": "Remove the offer; answer only the buyer's question about this order.",
    "review_incentive": "Remove the review request; the marketplace asks for reviews itself.",
    "review_request": "Leave review requests to Walmart.",
    "buyer_data": "Ask only for what the order needs (a photo of the item, the order number).",
    "other_marketplace": "Do not mention other marketplaces.",
    "extra_payment": "Follow the marketplace's return policy; never ask for more money.",
    "abusive": "Rephrase politely.",
}


def check_text(text: str, context: Context, in_subject: bool = False) -> list[Finding]:
    found: list[Finding] = []
    market = context.marketplace

    def add(rule: str, match: re.Match[str], why: str, severity: Severity | None = None) -> None:
        found.append(finding(rule, match, why, SUGGESTIONS.get(rule), severity))

    for m in PROMOTION.finditer(text):
        add(
            "promotion",
            m,
            "Promotions, coupons and cross-selling are not allowed in buyer messages.",
        )
    for m in CROSS_SELL.finditer(text):
        if re.search(r"(?i)\bwith\b", m.group(0)):
            s0, s1 = sentence_bounds(text, m.start(), m.end())
            before = text[max(s0, m.start() - 12) : m.start()]
            if INCLUDED.search(text[m.end() : s1]) or re.search(r"(?i)\b(?:it|they)\s+$", before):
                continue
        add("promotion", m, "Recommending other products or channels is cross-selling.")
    for m in OWN_SITE.finditer(text):
        s0, s1 = sentence_bounds(text, m.start(), m.end())
        if SELECTION.search(text[s0:s1]):
            add("promotion", m, "Sending the buyer to the seller's own shop is cross-selling.")

    for m in REVIEW.finditer(text):
        s0, s1 = sentence_bounds(text, m.start(), m.end())
        sentence = text[s0:s1]
        reward = INCENTIVE.search(sentence)
        if reward and not NEGATED.search(text[max(s0, m.start() - 25) : m.start()]):
            span = (min(m.start(), s0 + reward.start()), max(m.end(), s0 + reward.end()))
            found.append(
                finding(
                    "review_incentive",
                    (*span, text[span[0] : span[1]]),
                    "A reward in exchange for a review is prohibited.",
                    SUGGESTIONS["review_incentive"],
                )
            )
    for m in REVIEW_MANIPULATION.finditer(text):
        if not any(
            f.rule == "review_incentive" and f.start < m.end() and m.start() < f.end for f in found
        ):
            add(
                "review_incentive",
                m,
                "Steering reviews (only happy buyers, changing or removing one, asking again) is prohibited.",
            )
    threats = [m.span() for m in REVIEW_THREAT.finditer(text)]

    for m in BUYER_DATA.finditer(text):
        if not NEGATED.search(text[max(0, m.start() - 30) : m.start() + 12]):
            add("buyer_data", m, "This asks for personal data the order does not need.")

    others = OTHER_MARKETS.get(market, "")
    pattern = re.compile(rf"(?i)\b(?:{others}|{OTHER_MARKETPLACE})\b")
    for m in pattern.finditer(text):
        add(
            "other_marketplace",
            m,
            f"Naming another marketplace is not allowed on {market.title()}.",
        )
        s0, s1 = sentence_bounds(text, m.start(), m.end())
        if OWN_CHANNEL.search(text[s0:s1]):
            add(
                "promotion", m, "Sending the buyer to the seller's shop elsewhere is cross-selling."
            )

    for m in EXTRA_PAYMENT.finditer(text):
        if not NOT_CHARGED.search(text[max(0, m.start() - 20) : m.start()]) and not re.match(
            r"(?i)you\s+will\s+be\s+(?:charged|billed)\s+nothing", text[m.start() : m.end() + 8]
        ):
            add(
                "extra_payment",
                m,
                "Asking for extra money or bargaining around a return is prohibited.",
            )

    # Bargaining: asking to drop a return or claim in the same sentence as an offer.
    for m in DROP_CLAIM.finditer(text):
        s0, s1 = sentence_bounds(text, m.start(), m.end())
        if OFFER.search(text[s0:s1]) and not any(
            f.rule == "extra_payment" and f.start < m.end() and m.start() < f.end for f in found
        ):
            add(
                "extra_payment",
                m,
                "Offering something for dropping a return or claim is bargaining.",
            )
    # "You left a 2-star review; could you take it down?": the removal asked after the review.
    for m in REVIEW.finditer(text):
        s0, s1 = sentence_bounds(text, m.start(), m.end())
        after = text[m.end() : s1]
        ask = REMOVAL_ASK.search(after)
        if ask and not any(
            f.rule == "review_incentive" and f.start < s1 and s0 < f.end for f in found
        ):
            span = (m.start(), m.end() + ask.end())
            found.append(
                finding(
                    "review_incentive",
                    (*span, text[span[0] : span[1]]),
                    "Asking a buyer to change or remove a review is prohibited.",
                    SUGGESTIONS["review_incentive"],
                )
            )

    for m in ABUSIVE.finditer(text):
        add("abusive", m, "Abusive or insulting language.")
    for m in HOSTILITY.finditer(text):
        add("abusive", m, "Condescension or threats against the buyer are abusive.")

    # On Walmart every review request warns, also one that is an incentive, a gated or a
    # repeated ask (those block as review_incentive too). Asking to change or remove an
    # existing review is not a request for a new one, and "leave a bad review and see what
    # happens" is a threat, not a request.
    if market == "walmart":
        requests = [
            m
            for m in REVIEW_REQUEST.finditer(text)
            if not any(s < m.end() + 20 and m.start() < e for s, e in threats)
        ]
        for f in [f for f in found if f.rule == "review_incentive"]:
            if not CHANGE_ASK.search(f.excerpt) and not any(
                s < f.end and f.start < e for s, e in threats
            ):
                found.append(
                    Finding(
                        "review_request",
                        RULES["review_request"].severity,
                        f.start,
                        f.end,
                        f.excerpt,
                        "Walmart discourages sellers from asking for reviews.",
                        SUGGESTIONS["review_request"],
                    )
                )
        for m in requests:
            if not any(
                f.rule == "review_incentive"
                and CHANGE_ASK.search(f.excerpt)
                and f.start < m.end()
                and m.start() < f.end
                for f in found
            ):
                add("review_request", m, "Walmart discourages sellers from asking for reviews.")

    if market == "amazon":
        for m in EMOJI.finditer(text):
            add("amazon_format", m, "Amazon does not allow emoji in buyer messages.", Severity.WARN)
        for m in OPT_OUT.finditer(text):
            add(
                "amazon_format",
                m,
                "Amazon handles opt-outs itself; no opt-out links or wording.",
                Severity.WARN,
            )
        if context.proactive and not in_subject and len(text) < 400:
            thanks = THANKS_ONLY.search(text)
            if (
                thanks
                and not _other_content(text)
                and not re.search(
                    r"(?i)\b(?:question|issue|problem|confirm|need|missing|delay|sorry|return|instruction|invoice|warranty)\b",
                    text,
                )
            ):
                add(
                    "amazon_format",
                    thanks,
                    "Amazon does not allow proactive thank-you-only or shipping-confirmation messages.",
                    Severity.WARN,
                )
    return found


def check_subject_format(subject: str, body: str, context: Context) -> list[Finding]:
    if context.marketplace != "amazon" or ORDER_CRITICAL.search(body):
        return []
    m = IMPORTANT_SUBJECT.search(subject)
    if not m:
        return []
    return [
        finding(
            "amazon_format",
            m,
            "Mark a subject important only when the message is needed to complete the order.",
            "Remove the [Important] marker.",
            Severity.WARN,
        )
    ]


def check_attachments(context: Context) -> list[Finding]:
    if context.marketplace != "amazon":
        return []
    return [
        finding(
            "amazon_format",
            (-1, -1, name),
            f"Amazon allows attachments only for invoices, instructions or warranty papers: {name}.",
            "Remove the attachment or send the invoice, instructions or warranty instead.",
            Severity.WARN,
        )
        for name in context.attachments
        if not ATTACHMENT_OK.search(name)
    ]
