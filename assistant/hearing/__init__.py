"""Hearing: engines that turn 16 kHz audio into detections of the user's phrases."""
