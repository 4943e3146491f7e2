"""The server layer: a Flask app, one blueprint per vendor, answering from a World.
Uses the contract and world layers; nothing below imports it."""

__all__ = ["ServerConfig", "create_app"]


def __getattr__(name: str):
    # Imported on first use, like campaign_mock.create_app: Flask loads only when asked for.
    if name == "create_app":
        from campaign_mock.server.app import create_app

        return create_app
    if name == "ServerConfig":
        from campaign_mock.server.config import ServerConfig

        return ServerConfig
    raise AttributeError(f"module 'campaign_mock.server' has no attribute {name!r}")
