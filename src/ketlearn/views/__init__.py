"""Figures drawn in code (placeholder until the views layer lands; see diagrams)."""
