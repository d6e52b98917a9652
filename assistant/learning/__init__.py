"""Learning: teaching the embedding engine the user's phrases on the device."""
