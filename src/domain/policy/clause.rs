//! The clause kinds the engine decides with. Their parameters and texts are
//! data (assets/policies/*.toml); which clauses exist is code, so a policy
//! file cannot invent or forget one unnoticed.

use crate::domain::ticket::string_enum;

string_enum!(
    /// Every clause id of SPEC §2, as it appears in verdicts.
    Clause {
    CommonNothingPaid = "COMMON-NOTHING-PAID",
    LcicSuspended = "LCIC-SUSPENDED",
    LcicNotPurchased = "LCIC-NOT-PURCHASED",
    LcicPayg = "LCIC-PAYG",
    LcicUsed = "LCIC-USED",
    LcicWindow = "LCIC-WINDOW",
    Lcic5Day = "LCIC-5DAY",
    TrtcSuspended = "TRTC-SUSPENDED",
    TrtcScope = "TRTC-SCOPE",
    TrtcGiftUsed = "TRTC-GIFT-USED",
    TrtcUsed = "TRTC-USED",
    TrtcWindow = "TRTC-WINDOW",
    TrtcOneAtATime = "TRTC-ONE-AT-A-TIME",
    Trtc5Day = "TRTC-5DAY",
    ChatNoRule = "CHAT-NO-RULE",
    LiveContract = "LIVE-CONTRACT",
    LivePre = "LIVE-PRE",
    LiveExclCustomer = "LIVE-EXCL-CUSTOMER",
    LiveExclThirdParty = "LIVE-EXCL-THIRD-PARTY",
    LiveExclUnilateral = "LIVE-EXCL-UNILATERAL",
    LiveOther = "LIVE-OTHER",
    LiveExclLate = "LIVE-EXCL-LATE",
    LiveEarly = "LIVE-EARLY",
    LiveOutage = "LIVE-OUTAGE",
    LiveNotMet = "LIVE-NOT-MET",
    LiveQuality = "LIVE-QUALITY",
});

string_enum!(
    /// Flags a verdict can carry (SPEC §2 "Flags").
    Flag { AbuseSuspected = "abuse_suspected", FrozenFunds = "frozen_funds" }
);

string_enum!(
    /// What the policy says should happen.
    VerdictKind {
    FullRefund = "full_refund",
    ProRata = "pro_rata",
    Compensation = "compensation",
    Negotiate = "negotiate",
    Reject = "reject",
    NeedsInfo = "needs_info",
    ManualReview = "manual_review",
});

impl VerdictKind {
    /// Kinds whose verdict carries an amount.
    pub fn is_monetary(self) -> bool {
        matches!(self, Self::FullRefund | Self::ProRata | Self::Compensation)
    }
}
