from django.apps import AppConfig


class BenchOrmConfig(AppConfig):
    name = "bench.orm"
    label = "benchorm"
    default_auto_field = "django.db.models.BigAutoField"
