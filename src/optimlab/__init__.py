"""optimlab: the optimization algorithms of deep learning, faithful, fast and shown side by side."""

__version__ = "0.1.0"
