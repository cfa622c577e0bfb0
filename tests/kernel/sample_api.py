"""An API module loaded through the BOLT_API setting in tests."""

from bolt import BoltAPI

api = BoltAPI(plugins=["-viewsets", "-crud", "-auth", "-guards", "-cors", "-ratelimit"])


@api.get("/sample")
async def sample() -> dict:
    return {"sample": True}
