"""A ViewSet's ``list``/``retrieve`` beside function routes doing the same work.

Both variants take the request, an int lookup and a query parameter, so the ratio is the cost
the ViewSet machinery adds per request (ideally none: it compiles to plain routes).
"""

from __future__ import annotations

from bolt import BoltAPI, ViewSet

api = BoltAPI(plugins=["viewsets"])

ROWS = [{"item_id": i} for i in range(3)]


@api.get("/fn/items")
async def list_items(request) -> list:
    return ROWS


@api.get("/fn/items/{pk}")
async def get_item(request, pk: int, q: str | None = None) -> dict:
    return {"item_id": pk, "q": q}


@api.viewset("/vs/items")
class ItemViewSet(ViewSet):
    async def list(self, request) -> list:
        return ROWS

    async def retrieve(self, request, pk: int, q: str | None = None) -> dict:
        return {"item_id": pk, "q": q}
