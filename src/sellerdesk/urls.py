from django.urls import include, path

from sellerdesk import admin_site
from sellerdesk.demo.views import sent_mail
from sellerdesk.marketplaces.views import walmart_webhook
from sellerdesk.runtime.health import healthz
from sellerdesk.team import views as team_views
from sellerdesk.workspace import views as workspace
from sellerdesk.workspace.compliance_page import compliance_settings

urlpatterns = [
    path("", team_views.home, name="home"),
    path("accounts/<int:account_id>/", team_views.account_detail, name="account_detail"),
    path("notifications/", team_views.notifications, name="notifications"),
    path("dashboard/", include("sellerdesk.analytics.urls")),
    path("settings/compliance/", compliance_settings, name="compliance_settings"),
    path("notifications/read", team_views.notifications_read, name="notifications_read"),
    path("tickets/", workspace.ticket_list, name="ticket_list"),
    path("tickets/<int:ticket_id>/", workspace.ticket_detail, name="ticket_detail"),
    path("tickets/<int:ticket_id>/reply", workspace.reply, name="ticket_reply"),
    path("tickets/<int:ticket_id>/update", workspace.update, name="ticket_update"),
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
    path("demo/sent-mail/", sent_mail, name="demo_sent_mail"),
    path("auth/", include("django.contrib.auth.urls")),
    path("admin/", admin_site.site.urls),
    path("healthz", healthz, name="healthz"),
    path("hooks/walmart/<int:account_id>/", walmart_webhook, name="walmart_webhook"),
]
# django.contrib.auth.urls gives: login, logout, password_reset (+ _done, _confirm, _complete).
