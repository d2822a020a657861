"""sms-emulator: a local, deterministic emulator of SMS provider APIs."""

from ._version import __version__
from .emulator import Emulator

__all__ = ["Emulator", "__version__"]
