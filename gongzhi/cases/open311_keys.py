"""Open311 API keys: one per third-party client (an app, a hotline bridge). Only a keyed hash
of the key is stored, so a leaked database yields no usable key. Registered by the last line
of cases/models.py; written only through cases/open311/keys.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Open311Key(models.Model):
    name = models.CharField(_("名称"), max_length=60)
    prefix = models.CharField(_("前缀"), max_length=12)  # to tell keys apart; too short to guess
    key_hash = models.CharField(_("密钥摘要"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        app_label = "cases"
        verbose_name = _("Open311 接口密钥")
        verbose_name_plural = _("Open311 接口密钥")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
