"""Widgets: dumb views fed by screens; none of them talks to a vendor."""
