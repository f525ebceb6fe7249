from django.urls import include, path

from sellerdesk import admin_site
from sellerdesk.marketplaces.views import walmart_webhook
from sellerdesk.runtime.health import healthz
from sellerdesk.team import views as team_views

urlpatterns = [
    path("", team_views.home, name="home"),
    path("accounts/<int:account_id>/", team_views.account_detail, name="account_detail"),
    path("auth/", include("django.contrib.auth.urls")),
    path("admin/", admin_site.site.urls),
    path("healthz", healthz, name="healthz"),
    path("hooks/walmart/<int:account_id>/", walmart_webhook, name="walmart_webhook"),
]
# django.contrib.auth.urls gives: login, logout, password_reset (+ _done, _confirm, _complete).
