"""The rows of the optimized-integrations table, by family; table.py assembles them into one
``INTEGRATIONS`` dict. Each module's rows are integrations.md §2's lines for its services."""
