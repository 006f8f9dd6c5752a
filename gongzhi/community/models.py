"""Community (共建) models: the registrations' commitments, the points ledger, the three lists."""
