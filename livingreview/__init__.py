"""Living systematic review pipeline for foundation models in medical image analysis."""

__version__ = "0.1.0"
