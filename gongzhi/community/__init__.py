"""共建: 双报到 as a working process, the points ledger and the three lists (docs/community.md)."""
