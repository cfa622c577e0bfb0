"""Bolt as a Django app: label ``bolt``, for its management commands and system checks."""

from django.apps import AppConfig


class BoltConfig(AppConfig):
    name = "bolt"
    label = "bolt"
    verbose_name = "Bolt"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import setting_changed

        from bolt.conf import reset_settings

        def _reset(**kwargs: object) -> None:
            setting = str(kwargs.get("setting", ""))
            if setting.startswith("BOLT_"):
                reset_settings()

        setting_changed.connect(_reset, weak=False, dispatch_uid="bolt-reset-settings")
