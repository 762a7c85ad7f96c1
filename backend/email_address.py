"""The one e-mail normaliser: every address is compared and stored trimmed and lower-cased (SPEC §3)."""


def normalise_email(email: str | None) -> str:
    """Trimmed and lower-cased; "" for nothing."""
    return (email or "").strip().lower()
