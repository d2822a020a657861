"""The Kenyan bulk-SMS gateway family (Advanta, FastMessage, TextSMS, ...)."""

from ..base import Provider
from .balance import restart_balances
from .config import check_scenario
from .inbound import inbound
from .mapping import error_code, status_name
from .routes import ENDPOINTS, build_app
from .upgrade import upgrade_store

__all__ = ["PROVIDER"]

PROVIDER = Provider(
    name="sendbulk",
    title="Kenyan bulk-SMS gateways (sendbulk)",
    mount="/api/services",
    build_app=build_app,
    status_name=status_name,
    error_code=error_code,
    inbound=inbound,
    paths=(
        "/api/services/sendsms",
        "/api/services/sendbulk",
        "/api/services/sendotp",
        "/api/services/getdlr",
        "/api/services/getbalance",
        "/api/services/credit",
    ),
    check_scenario=check_scenario,
    endpoints=ENDPOINTS,
    sending_endpoints=("sendsms", "sendbulk", "sendotp"),
    upgrade_store=upgrade_store,
    scenario_loaded=restart_balances,
)
