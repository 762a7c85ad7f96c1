"""The referrals app's models, one module per concept; every model is importable from here."""

from referrals.models.attribution import Attribution, AttributionChange, AttributionMethod, AttributionReason
from referrals.models.codes import (
    CODE_ALPHABET,
    CODE_SUFFIX_LENGTH,
    CampaignCoupon,
    Click,
    CodeKind,
    ReferralCode,
    ReferralCodeQuerySet,
    normalise_code,
)
from referrals.models.payouts import (
    FrozenBalance,
    FrozenBalanceDecision,
    Payout,
    PayoutAccount,
    PayoutMethod,
    PayoutQuerySet,
    PayoutStatus,
)
from referrals.models.privacy import PrivacyRequest, PrivacyRequestKind
from referrals.models.reports import (
    AttributedSale,
    BuyerLevel,
    HostSales,
    PartyGuestCount,
    SaleFact,
    ScopeBuyer,
    ScopeBuyers,
)
from referrals.models.rewards import (
    MONEY,
    DecimalDigits,
    EntryKind,
    EntryState,
    LedgerEntry,
    LedgerEntryQuerySet,
    RewardPlan,
)

__all__ = [
    "CODE_ALPHABET",
    "CODE_SUFFIX_LENGTH",
    "MONEY",
    "AttributedSale",
    "BuyerLevel",
    "Attribution",
    "AttributionChange",
    "AttributionMethod",
    "AttributionReason",
    "CampaignCoupon",
    "Click",
    "CodeKind",
    "DecimalDigits",
    "EntryKind",
    "EntryState",
    "FrozenBalance",
    "FrozenBalanceDecision",
    "HostSales",
    "LedgerEntry",
    "LedgerEntryQuerySet",
    "PartyGuestCount",
    "Payout",
    "PayoutAccount",
    "PayoutMethod",
    "PayoutQuerySet",
    "PayoutStatus",
    "PrivacyRequest",
    "PrivacyRequestKind",
    "ReferralCode",
    "ReferralCodeQuerySet",
    "RewardPlan",
    "SaleFact",
    "ScopeBuyer",
    "ScopeBuyers",
    "normalise_code",
]
