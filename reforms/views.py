from django.shortcuts import render

from .models import NAMED_MODELS


def home(request):
    collections = [
        {"label": model._meta.verbose_name_plural, "count": model.objects.genuine().count()}
        for model in NAMED_MODELS
    ]
    return render(request, "reforms/home.html", {"collections": collections})
