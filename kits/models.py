"""Models of the kits app."""
