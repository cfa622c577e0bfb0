from django.apps import AppConfig


class BoltGranianConfig(AppConfig):
    name = "bolt_granian"
    label = "bolt_granian"
    verbose_name = "Bolt on Granian"
