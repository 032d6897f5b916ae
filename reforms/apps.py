from django.apps import AppConfig


class ReformsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reforms"
    verbose_name = "教育综合改革"

    def ready(self):
        from . import search_index, signals, versioning

        signals.connect()
        search_index.connect()
        versioning.connect()
