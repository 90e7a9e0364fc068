"""care-outreach: patient outreach by SMS and voice, driven by YAML conversation flows."""

__version__ = "0.1.0"
