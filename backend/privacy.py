"""Masking personal data for staff who do not hold the personal-data permission."""


def mask_email(email: str) -> str:
    """`clara@example.com` → `c***@example.com`: enough to tell people apart, not to write to them."""
    if not email:
        return ""
    local, at, domain = email.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_phone(phone: str) -> str:
    """`+33612345678` → `+33*******78`."""
    if not phone:
        return ""
    return phone[:3] + "*" * max(len(phone) - 5, 0) + phone[-2:]
