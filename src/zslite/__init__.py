"""zslite: a ZStack-compatible management server for the VM image lifecycle."""

__version__ = "0.1.0"

__all__ = ["__version__"]
