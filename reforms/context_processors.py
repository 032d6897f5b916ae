from .collections import COLLECTIONS


def navigation(request):
    return {"nav_collections": COLLECTIONS}
