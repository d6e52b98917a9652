"""The settings: ``config.yaml`` read and checked once, at the edge, into frozen dataclasses.

Every problem is reported as one sentence naming the file, the key path and the line, so a
survivor and their therapist can find and fix it together. ``model.py`` describes every
setting once; ``schema.py`` derives what the file may hold from it; ``load.py`` reads the
file; ``meaning.py`` checks what types cannot.
"""
from .load import load
from .meaning import contact_warnings, is_example, is_example_number, placeholders
from .model import (
    BUILTIN_PATTERNS,
    BUILTIN_ROUTINES,
    DEFAULT_SENSITIVITY,
    INTENTS,
    LONGEST_BREATHING,
    PLACEHOLDER,
    RATINGS,
    REQUIRED_INTENTS,
    Breathing,
    Checkins,
    Config,
    ConfigError,
    Contact,
    Step,
    normalise_phrase,
)

__all__ = ["load", "contact_warnings", "is_example", "is_example_number", "placeholders",
           "BUILTIN_PATTERNS", "BUILTIN_ROUTINES", "DEFAULT_SENSITIVITY", "INTENTS",
           "LONGEST_BREATHING", "PLACEHOLDER", "RATINGS", "REQUIRED_INTENTS", "Breathing",
           "Checkins", "Config", "ConfigError", "Contact", "Step", "normalise_phrase"]
