"""RingCentral High Volume SMS (A2P): OAuth plus ``/restapi/v1.0/account/{id}/a2p-sms``."""

from ..base import Provider
from .config import check_scenario
from .inbound import receive_inbound
from .limits import GROUPS
from .mapping import status_name
from .notifications import attempted, still_wanted
from .optouts import upgrade_store
from .routes import MAX_BODY, build_app

__all__ = ["PROVIDER"]

PROVIDER = Provider(
    name="ringcentral",
    title="RingCentral High Volume SMS (A2P)",
    mount="/restapi",
    build_app=build_app,
    status_name=status_name,
    inbound=receive_inbound,
    check_scenario=check_scenario,
    webhook_wanted=still_wanted,
    webhook_attempted=attempted,
    upgrade_store=upgrade_store,
    max_body=MAX_BODY,
    rate_limit_penalty=60.0,  # a hit limit blocks for 60 s; each request restarts it
    rate_limit_groups=tuple(GROUPS),
    sending_endpoints=("create_batch",),
    endpoints=(
        "authorize",
        "token",
        "revoke",
        "create_batch",
        "list_batches",
        "get_batch",
        "list_messages",
        "get_message",
        "statuses",
        "list_optouts",
        "bulk_assign",
        "list_phone_numbers",
        "list_company_numbers",
        "get_account",
        "get_extension",
        "list_consents",
        "update_consents",
        "delete_consents",
        "export_consents",
        "search_consents",
        "consent_history",
        "create_subscription",
        "list_subscriptions",
        "get_subscription",
        "update_subscription",
        "delete_subscription",
        "renew_subscription",
    ),
    paths=(
        "/restapi/oauth/authorize",
        "/restapi/oauth/token",
        "/restapi/oauth/revoke",
        "/restapi/v1.0/account/~/a2p-sms/batches",
        "/restapi/v1.0/account/~/a2p-sms/messages",
        "/restapi/v1.0/account/~/a2p-sms/statuses",
        "/restapi/v1.0/account/~/a2p-sms/opt-outs",
        "/restapi/v1.0/account/~/a2p-sms/opt-outs/bulk-assign",
        "/restapi/v2/accounts/~/sms/consents",
        "/restapi/v2/accounts/~/sms/consents/search",
        "/restapi/v2/accounts/~/sms/consents/export",
        "/restapi/v2/accounts/~/sms/consents/history",
        "/restapi/v1.0/subscription",
        "/restapi/v1.0/account/~/extension/~/phone-number",
        "/restapi/v1.0/account/~/phone-number",
        "/restapi/v1.0/account/~",
        "/restapi/v1.0/account/~/extension/~",
    ),
)
