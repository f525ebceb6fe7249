from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "sellerdesk.tickets"
    label = "tickets"
    verbose_name = "Tickets"
