from django.apps import AppConfig


class MarketplacesConfig(AppConfig):
    name = "sellerdesk.marketplaces"
    label = "marketplaces"
    verbose_name = "Marketplaces"
