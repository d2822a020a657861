"""Fone Dynamics REST v2 messaging."""

from starlette.applications import Starlette

from ..base import Provider

PROVIDER = Provider(
    name="fonedynamics",
    title="Fone Dynamics REST v2",
    mount="/v2",
    build_app=lambda emu: Starlette(),
    paths=("/v2/Properties/{PropertySid}/Messages", "/v2/Properties/{PropertySid}/BatchMessages"),
)
