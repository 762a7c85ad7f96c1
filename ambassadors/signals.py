"""Announcements other apps listen to. They only notify: receivers call their own services."""

from django.dispatch import Signal

# Sent inside the transaction that recorded a new application: kwargs `application`.
# Listener: webhooks (`application.received`).
application_received = Signal()

# Sent inside the selection transaction once a Host exists: kwargs `host`, `by` (the staff user or None).
# Listeners: referral code issuance, kit allocation, webhooks.
host_selected = Signal()

# Sent once the transaction that created a party commits: kwargs `party`, `by` (the host's user).
# Listener: the referral codes issue the party's own code.
party_created = Signal()

# Sent inside the transaction that moved a host: kwargs `host`, `from_status`, `to_status`, `by`.
# Listeners: a banned host's referral codes are retired (with their Stripe mirrors); an activation
# may earn the booking bonus of the host whose party the new host was booked at.
host_status_changed = Signal()

# Sent inside the transaction that cancelled a party: kwargs `party`, `by`.
# Listeners: the party's referral code is retired (with its Stripe mirror); notifications tell its guests.
party_cancelled = Signal()

# Sent while a host's party page is built, with `party`; a receiver answers a
# `ambassadors.parties.figures.PartyFigures` (read only; no answer, no figures shown).
# Receiver: referrals (the party's sales counted as its reward is, the clicks on its link).
party_figures_wanted = Signal()

# Sent inside the transaction that closed a held party (its attribution window ended; its reward is
# final): kwargs `party`, `by`. Listener: notifications tell the host what the party earned.
party_closed = Signal()

# Sent inside the transaction that moved a party to held (the host's report): kwargs `party`, `by`.
# Listener: webhooks (`party.held`).
party_held = Signal()

# Sent inside the transaction that withdrew a person's photo-rights consent: kwargs `hosts` (the
# person's host rows), `by`. Listener: the photo wall withdraws every photo of theirs.
photo_consent_withdrawn = Signal()

# Sent inside the transaction that deletes a party photo, before the row goes: kwargs `photo`, `by`.
# Listener: the photo wall forgets the photo (its public copy and the cached wall).
party_photo_deleted = Signal()
