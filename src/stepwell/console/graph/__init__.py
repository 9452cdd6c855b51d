"""graph: see the modules."""
