"""Accessibility statement, cookies and privacy pages, and the list of pages the browser checks visit."""
