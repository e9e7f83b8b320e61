"""Services: what the core does with storage (query, import, export)."""
