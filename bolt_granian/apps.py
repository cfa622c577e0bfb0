from django.apps import AppConfig

from bolt_granian.settings import GranianSettings


class BoltGranianConfig(AppConfig):
    name = "bolt_granian"
    label = "bolt_granian"
    verbose_name = "Bolt on Granian"
    # BOLT_HOST, BOLT_PORT, ...: known to Bolt's settings checks and listings.
    bolt_settings_model = GranianSettings
