"""Development tools run from a checkout (`python -m scripts.<tool>`); not part of the
installed package."""
