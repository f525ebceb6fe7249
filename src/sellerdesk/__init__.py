"""sellerdesk: the helpdesk and CRM for marketplace sellers."""
