"""A module-level API for the ``bolt_routes`` command tests (``--api`` loads it by path)."""

from bolt import BoltAPI, ViewSet, action
from bolt.middleware import cors

api = BoltAPI(plugins=["viewsets", "cors"])


@api.viewset("/articles")
class ArticleViewSet(ViewSet):
    async def list(self, request):
        return []

    @cors(origins=["http://localhost:3000"])
    async def retrieve(self, request, pk: int):
        return {"pk": pk}

    @action(methods=["POST"], detail=True)
    async def publish(self, request, pk: int):
        return {}


broken = BoltAPI(plugins=["viewsets"])


@broken.viewset("/broken")
class BrokenViewSet(ViewSet):
    guards = ["not-claimed-without-the-guards-plugin"]

    async def list(self, request):
        return []
