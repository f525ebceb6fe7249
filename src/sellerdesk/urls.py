from django.urls import include, path

from sellerdesk import admin_site
from sellerdesk.demo.views import sent_mail
from sellerdesk.marketplaces.views import walmart_webhook
from sellerdesk.realtime import views as live
from sellerdesk.runtime.health import healthz
from sellerdesk.search.views import search
from sellerdesk.snippets.views import picker as snippet_picker
from sellerdesk.team import views as team_views
from sellerdesk.workspace import inbox, ticket_forms
from sellerdesk.workspace import views as workspace
from sellerdesk.workspace.buyer_settings import buyer_settings
from sellerdesk.workspace.compliance_page import compliance_settings
from sellerdesk.workspace.order_views import order_action
from sellerdesk.workspace.root_causes_page import root_cause_settings

urlpatterns = [
    path("", team_views.home, name="home"),
    path("accounts/<int:account_id>/", team_views.account_detail, name="account_detail"),
    path("notifications/", team_views.notifications, name="notifications"),
    path("dashboard/", include("sellerdesk.analytics.urls")),
    path("settings/compliance/", compliance_settings, name="compliance_settings"),
    path("settings/snippets/", include("sellerdesk.snippets.urls")),
    path("search/", search, name="search"),
    path("tickets/<int:ticket_id>/snippets/", snippet_picker, name="snippet_picker"),
    path("settings/buyers/", buyer_settings, name="buyer_settings"),
    path("settings/root-causes/", root_cause_settings, name="root_cause_settings"),
    path("notifications/read", team_views.notifications_read, name="notifications_read"),
    path("tickets/", inbox.inbox, name="ticket_list"),
    path("tickets/bulk", inbox.bulk, name="ticket_bulk"),
    path("tickets/<int:ticket_id>/", workspace.ticket_detail, name="ticket_detail"),
    path("tickets/<int:ticket_id>/reply", workspace.reply, name="ticket_reply"),
    path("tickets/<int:ticket_id>/update", workspace.update, name="ticket_update"),
    # Drafts saved as the agent types, and discarded (realtime/views.py).
    path("tickets/<int:ticket_id>/draft", live.save_draft, name="ticket_draft"),
    path("tickets/<int:ticket_id>/draft/discard", live.discard_draft, name="ticket_draft_discard"),
    path("settings/collaboration/", live.collaboration_settings, name="collaboration_settings"),
    path("tickets/<int:ticket_id>/check", workspace.check_draft, name="ticket_check"),
    path(
        "tickets/<int:ticket_id>/messages/<int:message_id>/html",
        workspace.message_html,
        name="message_html",
    ),
    path(
        "tickets/<int:ticket_id>/attachments/<int:attachment_id>",
        workspace.attachment_download,
        name="attachment_download",
    ),
    path(
        "tickets/<int:ticket_id>/no-response-needed",
        workspace.no_response_needed,
        name="ticket_no_response_needed",
    ),
    path(
        "tickets/<int:ticket_id>/outbox/<int:outbox_id>/resend",
        workspace.resend,
        name="ticket_resend",
    ),
    # The ticket page's smaller forms (workspace/ticket_forms.py).
    path("tickets/<int:ticket_id>/note", ticket_forms.add_note, name="ticket_note"),
    path("tickets/<int:ticket_id>/assign", ticket_forms.assign, name="ticket_assign"),
    path("tickets/<int:ticket_id>/tags", ticket_forms.add_tags, name="ticket_tag_add"),
    path("tickets/<int:ticket_id>/tags/remove", ticket_forms.remove_tag, name="ticket_tag_remove"),
    path("tickets/<int:ticket_id>/snooze", ticket_forms.snooze, name="ticket_snooze"),
    path("tickets/<int:ticket_id>/unsnooze", ticket_forms.unsnooze, name="ticket_unsnooze"),
    path("tickets/<int:ticket_id>/merge", ticket_forms.merge, name="ticket_merge"),
    path(
        "tickets/<int:ticket_id>/messages/move",
        ticket_forms.move_message,
        name="ticket_message_move",
    ),
    path(
        "tickets/<int:ticket_id>/messages/split",
        ticket_forms.split_message,
        name="ticket_message_split",
    ),
    path(
        "tickets/<int:ticket_id>/history/<int:event_id>/undo",
        ticket_forms.undo,
        name="ticket_undo",
    ),
    # Order actions from the ticket's order panel (workspace/order_views.py).
    path(
        "tickets/<int:ticket_id>/order/<str:action>",
        order_action,
        name="order_action",
    ),
    path("demo/sent-mail/", sent_mail, name="demo_sent_mail"),
    path("auth/", include("django.contrib.auth.urls")),
    path("admin/", admin_site.site.urls),
    path("healthz", healthz, name="healthz"),
    path("hooks/walmart/<int:account_id>/", walmart_webhook, name="walmart_webhook"),
]
# django.contrib.auth.urls gives: login, logout, password_reset (+ _done, _confirm, _complete).
