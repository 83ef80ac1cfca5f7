"""LinkDesk: a desktop assistant for guiding a business through connecting its software to Codat."""

__version__ = "0.1.0"
APP_NAME = "LinkDesk"
APP_ID = "io.linkdesk.LinkDesk"
ORG_NAME = "LinkDesk"
