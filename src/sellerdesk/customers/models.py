from __future__ import annotations

from django.db import models


class Customer(models.Model):
    """A buyer, across all of the seller's accounts and channels.

    Marketplaces hide the buyer's identity behind relay addresses, so a buyer is recognised by
    a relay address seen before (`CustomerAddress`) or, failing that, by the fingerprint of
    the shipping name and address. Both are hints, not proofs (Walmart does not promise a
    stable relay address per buyer), which is why an agent will be able to merge and split.
    """

    name = models.CharField(max_length=200, blank=True)
    address_fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name or f"customer {self.pk}"


class CustomerAddress(models.Model):
    """An email address a buyer reaches us from: a marketplace relay alias (Walmart's
    `<hex>@relay.walmart.com`, Amazon's `@marketplace.amazon.*`) or a direct address."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    address = models.EmailField(unique=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.address
