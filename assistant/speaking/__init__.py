"""Speaking: text to samples, routines laid on one timeline, the breathing pacer."""
