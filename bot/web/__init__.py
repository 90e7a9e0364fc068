"""HTTP: Twilio webhooks, health checks, and (from other modules) staff pages and the JSON API."""
