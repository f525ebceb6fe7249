"""Mail channel: parsing, classification and threading (pure modules), fetch and send."""
