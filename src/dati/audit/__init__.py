"""Tamper-evident audit log of data access and agreement actions; the citizen view."""
