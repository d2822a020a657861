"""Fone Dynamics REST v2 messaging: Messages, BatchMessages, message lookup and listing."""

from ..base import Provider
from .config import check_scenario
from .inbound import forwarded_emails, receive
from .leases import active_leases
from .mapping import status_name
from .routes import build_app

__all__ = ["PROVIDER"]

PROVIDER = Provider(
    name="fonedynamics",
    title="Fone Dynamics REST v2",
    mount="/v2",
    mount_ignores_case=True,  # ServiceStack matches a route's literal segments in any case
    build_app=build_app,
    status_name=status_name,
    inbound=receive,
    check_scenario=check_scenario,
    endpoints=("send_message", "send_batch", "get_message", "list_messages"),
    sending_endpoints=("send_message", "send_batch"),
    rule_endpoints=("forward_sms",),  # the SMS copy of a reply (ForwardToSms)
    views=(("emails", forwarded_emails), ("leases", active_leases)),
    paths=(
        "/v2/Properties/{PropertySid}/Messages",
        "/v2/Properties/{PropertySid}/BatchMessages",
        "/v2/Messages/{MessageSid}",
    ),
)
