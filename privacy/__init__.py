"""A person's right of access and right to erasure, across every app (SPEC §13).

A person is identified by their e-mail address: it is what links an applicant, a host's account,
a guest registration and an order. Export gathers everything held about them; erasure replaces it
with neutral values and keeps the rows that aggregates and money depend on (orders, attributions,
ledger lines, guest counts), under the person's pseudonym (`backend.privacy.pseudonymous_email`).

Click logs are out of reach on purpose: they hold a salted hash of IP and user agent, never
anything that links them to a person, and are purged after `CLICK_RETENTION_DAYS`.
"""
