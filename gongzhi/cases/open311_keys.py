"""Open311 API keys: one per third-party client (an app, a hotline bridge). Only a keyed hash
of the key is stored (`core.secret_keys`, the one implementation shared with the API tokens),
so a leaked database yields no usable key. Registered by the last line of cases/models.py;
written only through cases/open311/keys.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.secret_keys import SecretKey


class Open311Key(SecretKey):
    name = models.CharField(_("名称"), max_length=60)

    class Meta:
        app_label = "cases"
        verbose_name = _("Open311 接口密钥")
        verbose_name_plural = _("Open311 接口密钥")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
