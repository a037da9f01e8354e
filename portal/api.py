"""The one NinjaAPI. Each app contributes a router from its own `api.py`."""

from ninja import NinjaAPI

from live.api import router as live_router
from meetups.api import router as meetups_router
from rsvp.api import router as rsvp_router

api = NinjaAPI(
    title="Meetup portal API",
    version="1",
    description="Events, talks and speakers; RSVPs, check-in and live Q&A.",
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("/", meetups_router)
api.add_router("/", rsvp_router)
api.add_router("/", live_router)
api.add_router("/", "meetups.api_cfp.router")
api.add_router("/", "meetups.organise.api.router")
