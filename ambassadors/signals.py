"""Announcements other apps listen to. They only notify: receivers call their own services."""

from django.dispatch import Signal

# Sent inside the selection transaction once a Host exists: kwargs `host`, `by` (the staff user or None).
# Listeners: referral code issuance, kit allocation.
host_selected = Signal()

# Sent once the transaction that created a party commits: kwargs `party`, `by` (the host's user).
# Listener: the referral codes issue the party's own code.
party_created = Signal()
