"""Composition root and shared kernel of the public services portal."""
