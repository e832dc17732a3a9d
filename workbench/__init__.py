"""Workbench: calibrated, monitored human annotation on Argilla for fine-tuning data."""

__version__ = "0.1.0"
