"""Screens: one file each; they route messages and keep widgets dumb."""
