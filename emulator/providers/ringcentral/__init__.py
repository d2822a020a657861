"""RingCentral High Volume SMS (A2P)."""

from starlette.applications import Starlette

from ..base import Provider

PROVIDER = Provider(
    name="ringcentral",
    title="RingCentral High Volume SMS (A2P)",
    mount="/restapi",
    build_app=lambda emu: Starlette(),
    paths=("/restapi/oauth/token", "/restapi/v1.0/account/~/a2p-sms/batches"),
)
