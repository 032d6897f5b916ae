from django.apps import AppConfig


class ReformsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reforms"
    verbose_name = "教育综合改革"

    def ready(self):
        from . import signals, versioning
        from .models import NAMED_MODELS
        from .search import index

        signals.connect()
        index.connect(NAMED_MODELS)
        versioning.connect()
