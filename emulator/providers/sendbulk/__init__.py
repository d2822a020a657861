"""The Kenyan bulk-SMS gateway family (Advanta, FastMessage, TextSMS, ...)."""

from starlette.applications import Starlette

from ..base import Provider

PROVIDER = Provider(
    name="sendbulk",
    title="Kenyan bulk-SMS gateways (sendbulk)",
    mount="/api/services",
    build_app=lambda emu: Starlette(),
    paths=("/api/services/sendbulk", "/api/services/sendsms"),
)
