"""An offline, voice-guided grounding assistant that listens only for the user's own words."""

__version__ = "0.1.0"
