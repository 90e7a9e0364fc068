"""Sub-commands of `outreach`, one module per area."""
