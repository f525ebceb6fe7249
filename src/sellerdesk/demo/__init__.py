"""`sellerdesk demo`: the whole product on one machine with demo data and no outside account."""
