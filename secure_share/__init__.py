"""Secure Share: expiring, signed links through which a requester downloads response documents."""
