"""The community's back office, one module per subject; Django's autodiscovery imports this."""

from gongzhi.community.admin import ledger, lists, volunteers

__all__ = ["ledger", "lists", "volunteers"]
