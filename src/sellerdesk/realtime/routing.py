from django.urls import path

from sellerdesk.realtime.consumers import InboxConsumer, NotificationsConsumer, TicketConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationsConsumer.as_asgi()),
    path("ws/tickets/<int:ticket_id>/", TicketConsumer.as_asgi()),
    path("ws/inbox/", InboxConsumer.as_asgi()),
]
