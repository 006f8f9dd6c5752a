"""The community's back office, one module per subject; Django's autodiscovery imports this."""

from gongzhi.community.admin import ledger, lists

__all__ = ["ledger", "lists"]
