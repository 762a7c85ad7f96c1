"""Staff roles are groups; `admin` holds every role."""

MARKETING = "marketing"
LOGISTICS = "logistics"
ADMIN = "admin"
ALL_ROLES = (MARKETING, LOGISTICS, ADMIN)
